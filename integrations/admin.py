from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from integrations import inbound, safe_http, services
from integrations.connectors import connector_class, salesforce
from integrations.connectors.base import LEAD_FIELDS
from integrations.models import (
    ApiClient,
    CrmIntegration,
    CrmKind,
    CrmNotification,
    CrmRecord,
    Delivery,
    DeliveryAttempt,
    EventType,
    OutboundEvent,
    WebhookSubscription,
    mask_secret,
)
from mortgage_sms.errors import ApplicationError
from mortgage_sms.scopes import Scope
from mortgage_sms.timefmt import local


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(Scope.values),
        help_text="Give each client only what it needs: a web form needs only leads:create.",
    )

    class Meta:
        model = ApiClient
        fields = ["name", "scopes", "active"]


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "token_prefix", "scope_list", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "token_prefix"]
    readonly_fields = ["token_prefix", "created_at", "last_used_at"]

    @admin.display(description="Scopes")
    def scope_list(self, client):
        return ", ".join(client.scopes)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []  # the token is made on save

    def save_model(self, request, obj, form, change):
        token = None if change else obj.issue_token()
        super().save_model(request, obj, form, change)
        if token:
            self.message_user(
                request,
                f"Token for {obj.name} (shown this once; only its hash is kept): {token}",
                messages.WARNING,
            )


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
            return f"failing since {local(target.failing_since)}"
        return "ok" if target.last_success_at else "no delivery yet"

    @admin.display(description="Last failure")
    def last_failure(self, target):
        return target.last_failure_message[:100]

    @admin.action(description="Switch on (what waited goes out, in order)", permissions=["change"])
    def switch_on(self, request, queryset):
        for target in queryset:
            services.target_enable(target=target)
        self.message_user(request, f"{len(queryset)} switched on.")

    @admin.action(description="Switch off (deliveries wait)", permissions=["change"])
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
    instance_url = forms.URLField(
        label="Salesforce instance URL",
        required=False,
        assume_scheme="https",
        help_text="Salesforce only: https://yourdomain.my.salesforce.com",
    )
    api_base_url = forms.URLField(
        label="API base URL",
        required=False,
        assume_scheme="https",
        help_text="Total Expert only. Blank: TOTAL_EXPERT_API_BASE_URL (production). A URL set here "
        "must be public, and is only called with the client id and secret set here.",
    )
    access_token = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    client_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    webhook_secret = forms.CharField(required=False, widget=forms.PasswordInput(render_value=False))
    forget_secrets = forms.BooleanField(required=False, help_text="Erase the saved token and secrets")

    class Meta:
        model = CrmIntegration
        fields = [
            "name", "kind", "active", "events", "api_client", "field_mapping", "instance_url",
            "api_base_url", "client_id", "access_token", "client_secret", "default_owner", "webhook_secret",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CrmIntegration.SECRET_FIELDS:
            saved = mask_secret(getattr(self.instance, name, ""))
            hint = (
                f"Saved: {saved}. Leave blank to keep it." if saved else "Blank: taken from the environment."
            )
            self.fields[name].help_text = hint

    def clean_instance_url(self):
        url = self.cleaned_data["instance_url"]
        problem = url and salesforce.instance_url_problem(url)
        if problem:
            raise ValidationError(problem)
        return url

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
        kind = self.cleaned_data.get("kind")
        errors = connector_class(kind).mapping_errors(mapping) if kind else []
        if errors:
            raise ValidationError(errors)
        return mapping

    def clean_api_base_url(self):
        url = self.cleaned_data["api_base_url"]
        if url:
            try:
                safe_http.resolve_url(url)
            except safe_http.UnsafeUrl as error:
                raise ValidationError(str(error)) from None
        return url

    def clean(self):
        cleaned = super().clean()
        for name in CrmIntegration.SECRET_FIELDS:
            if cleaned.get("forget_secrets"):
                cleaned[name] = ""
            elif not cleaned.get(name):
                cleaned[name] = getattr(self.instance, name, "")
        if cleaned.get("api_base_url") and not (cleaned.get("client_id") and cleaned.get("client_secret")):
            self.add_error(
                "api_base_url",
                "With a base URL of its own, set this integration's client id and secret too: the "
                "environment's credentials are only sent to TOTAL_EXPERT_API_BASE_URL.",
            )
        return cleaned


@admin.register(CrmIntegration)
class CrmIntegrationAdmin(TargetAdmin):
    form = CrmIntegrationForm
    list_display = ["name", "kind", "active", "health", "last_success_at", "last_failure_at", "last_failure"]
    list_filter = ["active", "kind"]
    readonly_fields = ["created_at", "webhook_url", *HEALTH_FIELDS]
    actions = [*TargetAdmin.actions, "subscribe_total_expert_webhooks"]
    fieldsets = [
        (None, {"fields": ["name", "kind", "active", "events", "api_client"]}),
        (
            "Field mapping",
            {
                "fields": ["field_mapping"],
                "description": "Our field -> the CRM's property (HubSpot), field (Salesforce) or "
                "contact attribute (Total Expert; custom.NAME for one of its custom fields). Left "
                "empty, the CRM's default mapping is filled in on save. For Salesforce, `id` names "
                "the Lead's external ID field used for upserts.",
            },
        ),
        (
            "Credentials",
            {
                "fields": [
                    "instance_url",
                    "api_base_url",
                    "client_id",
                    "access_token",
                    "client_secret",
                    "forget_secrets",
                ]
            },
        ),
        (
            "Total Expert",
            {
                "fields": ["default_owner", "webhook_url", "webhook_secret"],
                "description": "Contacts are owned by the lead's officer (matched by e-mail, else by "
                "NMLS ID as the Total Expert user's external ID). Notifications of contact updates "
                "come to the webhook URL: use the action “Subscribe to Total Expert's contact "
                "updates”, which sets a new secret, or subscribe yourself and type the secret here.",
            },
        ),
        ("Health", {"fields": ["created_at", *HEALTH_FIELDS]}),
    ]

    def save_model(self, request, obj, form, change):
        services.crm_integration_save(integration=obj)

    def changelist_view(self, request, extra_context=None):
        services.crm_environment_integration_ensure()  # ops see it before its first event
        return super().changelist_view(request, extra_context)

    @admin.display(description="Webhook URL")
    def webhook_url(self, integration):
        if integration.kind != CrmKind.TOTAL_EXPERT or not integration.pk:
            return "-"
        return settings.PUBLIC_BASE_URL + reverse("totalexpert-webhook", args=[integration.pk])

    @admin.action(
        description="Subscribe to Total Expert's contact updates (sets a new secret)", permissions=["change"]
    )
    def subscribe_total_expert_webhooks(self, request, queryset):
        for integration in queryset:
            if integration.kind != CrmKind.TOTAL_EXPERT:
                self.message_user(request, f"{integration} is not Total Expert.", messages.WARNING)
                continue
            try:
                url = inbound.totalexpert_webhooks_subscribe(integration=integration)
            except ApplicationError as error:
                self.message_user(request, f"{integration}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"{integration}: Total Expert sends contact updates to {url}.")


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

    @admin.action(description="Redeliver (from a fresh retry schedule)", permissions=["redeliver"])
    def redeliver(self, request, queryset):
        count = services.deliveries_redeliver(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} delivery(ies) queued again.")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_redeliver_permission(self, request):
        # A delivery is never edited, but sending it again is a change: the model's permission.
        return request.user.has_perm("integrations.change_delivery")


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


@admin.register(CrmNotification)
class CrmNotificationAdmin(admin.ModelAdmin):
    """What a CRM told us changed, and what we did about it."""

    list_display = ["received_at", "remote_id", "status", "lead", "short_outcome"]
    list_filter = ["status", "integration", "item", "received_at"]
    search_fields = ["=remote_id", "=lead__id", "outcome"]
    list_select_related = ["integration", "lead"]
    date_hierarchy = "received_at"
    readonly_fields = [
        "integration", "item", "action", "remote_id", "hash_value", "status", "lead", "outcome",
        "attempts", "next_attempt_at", "claimed_at", "received_at", "processed_at",
    ]  # fmt: skip

    @admin.display(description="Outcome")
    def short_outcome(self, notification):
        return notification.outcome[:70]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
