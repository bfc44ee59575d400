"""The /api/v1/webhooks API: a CRM subscribes its own endpoints to signed events."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.viewsets import ViewSet

from integrations import services
from integrations.models import EventType, WebhookSubscription
from mortgage_sms.api import InputSerializer, Pagination, paginated
from mortgage_sms.schema import error_response
from mortgage_sms.scopes import Scope


@extend_schema_field(
    {
        "type": "string",
        "format": "https-url",
        "maxLength": 500,
        "description": "An https URL whose host resolves to public addresses only (no loopback, "
        "private or reserved ones): it is resolved when you subscribe and at every delivery.",
    }
)
class WebhookUrlField(serializers.URLField):
    pass


class WebhookCreateInput(InputSerializer):
    url = WebhookUrlField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices),
        allow_empty=False,
        min_length=1,
        max_length=len(EventType),
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookOutput(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=EventType.choices))

    class Meta:
        model = WebhookSubscription
        fields = [
            "id", "url", "events", "description", "active", "disabled_reason", "created_at",
            "last_success_at", "last_failure_at",
        ]  # fmt: skip


class WebhookCreatedOutput(WebhookOutput):
    secret = serializers.CharField(help_text="whsec_...: shown in this response only; keep it.")

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]


class WebhookViewSet(ViewSet):
    """Your webhook subscriptions: deliveries follow the Standard Webhooks specification."""

    required_scopes = Scope.WEBHOOKS
    pagination_class = Pagination

    @extend_schema(
        request=WebhookCreateInput,
        responses={201: WebhookCreatedOutput, 409: error_response("You subscribed this URL already.")},
        description="Subscribe an https URL to event types (`lead.created`, `lead.updated`, "
        "`lead.assigned`, `lead.opted_out`, `message.received`, `message.sent`). The response "
        "carries the signing `secret` once. Changes you make through the API are not sent back "
        "to your own subscriptions.",
    )
    def create(self, request):
        serializer = WebhookCreateInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = services.webhook_subscription_create(owner=request.user, **serializer.validated_data)
        return Response(WebhookCreatedOutput(subscription).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=WebhookOutput(many=True), description="Your own subscriptions, oldest first.")
    def list(self, request):
        subscriptions = WebhookSubscription.objects.filter(owner=request.user).order_by("id")
        return paginated(self, request, subscriptions, WebhookOutput)

    @extend_schema(responses=WebhookOutput)
    def retrieve(self, request, pk=None):
        subscription = get_object_or_404(WebhookSubscription, owner=request.user, pk=pk)
        return Response(WebhookOutput(subscription).data)

    @extend_schema(responses={204: None}, description="Unsubscribe; nothing more is sent to it.")
    def destroy(self, request, pk=None):
        services.webhook_subscription_delete(owner=request.user, subscription_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
