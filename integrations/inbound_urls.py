from django.urls import path

from integrations.views import totalexpert_webhook

urlpatterns = [
    path("webhooks/totalexpert/<int:integration_id>/", totalexpert_webhook, name="totalexpert-webhook"),
]
