from django.urls import path

from integrations.api import WebhookViewSet

urlpatterns = [
    path("webhooks/", WebhookViewSet.as_view({"get": "list", "post": "create"}), name="webhook-list"),
    path(
        "webhooks/<int:pk>/",
        WebhookViewSet.as_view({"get": "retrieve", "delete": "destroy"}),
        name="webhook-detail",
    ),
]
