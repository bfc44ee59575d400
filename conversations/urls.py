from django.urls import path

from conversations import simulator, webhooks

urlpatterns = [
    path("webhooks/twilio/sms/", webhooks.inbound_sms, name="twilio-inbound"),
    path("webhooks/twilio/status/", webhooks.status_callback, name="twilio-status"),
    path("simulator/", simulator.index, name="simulator"),
    path("simulator/<uuid:lead_id>/", simulator.thread, name="simulator-thread"),
    path("simulator/<uuid:lead_id>/reply/", simulator.reply, name="simulator-reply"),
]
