from django.urls import path

from calls import webhooks

# The call is named in the query string (?call=<id>), which Twilio signs with the path.
urlpatterns = [
    path("webhooks/twilio/voice/", webhooks.incoming, name="voice-incoming"),
    path("webhooks/twilio/voice/whisper/", webhooks.whisper, name="voice-whisper"),
    path("webhooks/twilio/voice/connect/", webhooks.connect, name="voice-connect"),
    path("webhooks/twilio/voice/announce/", webhooks.announce, name="voice-announce"),
    path("webhooks/twilio/voice/dialed/", webhooks.dialed, name="voice-dialed"),
    path("webhooks/twilio/voice/status/", webhooks.status, name="voice-status"),
]
