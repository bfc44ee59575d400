from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from integrations import safe_http, services
from integrations.connectors.base import LEAD_FIELDS
from integrations.models import (
    ApiClient,
    CrmIntegration,
    CrmRecord,
    Delivery,
    DeliveryAttempt,
    EventType,
    OutboundEvent,
    WebhookSubscription,
    mask_secret,
)


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "token_prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "token_prefix"]
    readonly_fields = ["token_prefix", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Tokens are minted by `manage.py create_api_client`, which shows the token once.
        return False


def events_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=EventType.choices, widget=forms.CheckboxSelectMultiple, initial=list(EventType.values)
    )


HEALTH_FIELDS = [
    "last_success_at",
    "last_failure_at",
    "last_failure_message",
    "failing_since",
    "disabled_reason",
]


class TargetAdmin(admin.ModelAdmin):
    """Shared by webhook subscriptions and CRM integrations: health columns, on/off actions."""

    actions = ["switch_on", "switch_off"]
    list_filter = ["active"]

    @admin.display(description="Health")
    def health(self, target):
        if not target.active:
            return "off" + (f": {target.disabled_reason[:80]}" if target.disabled_reason else "")
        if target.failing_since:
            return f"failing since {target.failing_since:%Y-%m-%d %H:%M}"
        return "ok" if target.last_success_at else "no delivery yet"

    @admin.display(description="Last failure")
    def last_failure(self, target):
        return target.last_failure_message[:100]

    @admin.action(description="Switch on (what waited goes out, in order)")
    def switch_on(self, request, queryset):
        for target in queryset:
            services.target_enable(target=target)
        self.message_user(request, f"{len(queryset)} switched on.")

    @admin.action(description="Switch off (deliveries wait)")
    def switch_off(self, request, queryset):
        reason = f"Switched off by {request.user}."
        count = sum(services.target_disable(target=t, reason=reason, alert=False) for t in queryset)
        self.message_user(request, f"{count} switched off.")


class WebhookSubscriptionForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")
    events = events_field()

    class Meta:
        model = WebhookSubscription
        fields = ["url", "events", "description", "owner", "active"]

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            safe_http.resolve_url(url)
        except safe_http.UnsafeUrl as error:
            raise ValidationError(str(error)) from None
        return url


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(TargetAdmin):
    form = WebhookSubscriptionForm
    list_display = ["url", "owner", "active", "health", "last_success_at", "last_failure_at", "last_failure"]
    list_filter = ["active", "owner"]
    search_fields = ["url", "description"]
    readonly_fields = ["secret_hint", "created_at", *HEALTH_FIELDS]

    @admin.display(description="Signing secret")
    def secret_hint(self, subscription):
        return mask_secret(subscription.secret) or "(made when you save)"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.secret = WebhookSubscription.new_secret()
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(
                request,
                f"Signing secret for {obj.url} (shown this once; give it to the receiver): {obj.secret}",
                messages.WARNING,
            )


class CrmIntegrationForm(forms.ModelForm):
    """Secrets are write-only: the form shows a masked hint, and blank keeps what is saved."""

    events = events_field()
    instance_url = forms.URLField(required=False, assume_scheme="https", help_text="Salesforce only")
    access_token = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    client_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    forget_secrets = forms.BooleanField(required=False, help_text="Erase the saved token and secret")

    class Meta:
        model = CrmIntegration
        fields = [
            "name", "kind", "active", "events", "api_client", "field_mapping", "instance_url",
            "client_id", "access_token", "client_secret",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CrmIntegration.SECRET_FIELDS:
            saved = mask_secret(getattr(self.instance, name, ""))
            hint = (
                f"Saved: {saved}. Leave blank to keep it." if saved else "Blank: taken from the environment."
            )
            self.fields[name].help_text = hint

    def clean_field_mapping(self):
        mapping = self.cleaned_data["field_mapping"] or {}
        if not isinstance(mapping, dict):
            raise ValidationError('A JSON object: {"our_field": "CRM field", ...}.')
        unknown = sorted(set(mapping) - set(LEAD_FIELDS))
        if unknown:
            raise ValidationError(
                f"Unknown fields: {', '.join(unknown)}. Ours are: {', '.join(LEAD_FIELDS)}."
            )
        if not all(isinstance(v, str) for v in mapping.values()):
            raise ValidationError("Each CRM field name is a string.")
        return mapping

    def clean(self):
        cleaned = super().clean()
        for name in CrmIntegration.SECRET_FIELDS:
            if cleaned.get("forget_secrets"):
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "")
        return cleaned


@admin.register(CrmIntegration)
class CrmIntegrationAdmin(TargetAdmin):
    form = CrmIntegrationForm
    list_display = ["name", "kind", "active", "health", "last_success_at", "last_failure_at", "last_failure"]
    list_filter = ["active", "kind"]
    readonly_fields = ["created_at", *HEALTH_FIELDS]
    fieldsets = [
        (None, {"fields": ["name", "kind", "active", "events", "api_client"]}),
        (
            "Field mapping",
            {
                "fields": ["field_mapping"],
                "description": "Our field -> the CRM's property (HubSpot) or field (Salesforce). "
                "Left empty, the CRM's default mapping is filled in on save. For Salesforce, "
                "`id` names the Lead's external ID field used for upserts.",
            },
        ),
        (
            "Credentials",
            {"fields": ["instance_url", "client_id", "access_token", "client_secret", "forget_secrets"]},
        ),
        ("Health", {"fields": ["created_at", *HEALTH_FIELDS]}),
    ]

    def save_model(self, request, obj, form, change):
        services.crm_integration_save(integration=obj)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "outcome", "status_code", "duration_ms", "response_excerpt", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "id", "event_type", "target_name", "status", "attempts", "last_status_code", "next_attempt_at",
        "delivered_at", "created_at",
    ]  # fmt: skip
    list_filter = ["status", "event__type", "subscription", "integration", "created_at"]
    search_fields = ["event__msg_id", "=event__lead__id", "last_error"]
    list_select_related = ["event", "subscription", "integration"]
    readonly_fields = [
        "event", "subscription", "integration", "status", "attempts", "next_attempt_at", "claimed_at",
        "delivered_at", "last_status_code", "last_error", "created_at", "payload",
    ]  # fmt: skip
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    @admin.display(description="Event", ordering="event__type")
    def event_type(self, delivery):
        return delivery.event.type

    @admin.display(description="To")
    def target_name(self, delivery):
        return str(delivery.target)

    @admin.display(description="Payload")
    def payload(self, delivery):
        return delivery.event.body

    @admin.action(description="Redeliver (from a fresh retry schedule)")
    def redeliver(self, request, queryset):
        count = services.deliveries_redeliver(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} delivery(ies) queued again.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ["subscription", "integration", "status", "attempts", "last_status_code", "delivered_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboundEvent)
class OutboundEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "type", "msg_id", "lead", "actor"]
    list_filter = ["type", "created_at"]
    search_fields = ["msg_id", "=lead__id", "actor"]
    list_select_related = ["lead"]
    date_hierarchy = "created_at"
    readonly_fields = ["msg_id", "type", "lead", "message_id", "actor", "body", "created_at"]
    inlines = [DeliveryInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CrmRecord)
class CrmRecordAdmin(admin.ModelAdmin):
    """Which CRM record each lead and text became: where to look in the CRM."""

    list_display = ["integration", "object_type", "local_id", "remote_id", "created_at"]
    list_filter = ["integration", "object_type"]
    search_fields = ["=local_id", "=remote_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
