import base64
import hashlib
import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from mortgage_sms.scopes import all_scopes


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    """A CRM or form that calls the REST API; only a hash of its token is kept."""

    name = models.CharField(max_length=100, unique=True)
    token_prefix = models.CharField(max_length=12, help_text="First characters, to recognise it")
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=all_scopes, help_text="What the token may do")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "API client"

    def __str__(self):
        return self.name

    # DRF checks `request.user.is_authenticated`; the client stands in for a user.
    is_authenticated = True

    def issue_token(self) -> str:
        """A new token for this client: only its hash (and first characters) are kept."""
        token = f"msms_{secrets.token_urlsafe(32)}"
        self.token_prefix, self.token_hash = token[:12], hash_token(token)
        return token

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def actor(self) -> str:
        """How the leads app names changes this client makes through the API."""
        return f"api:{self.name}"


class ApiRequestCount(models.Model):
    """Requests of one API client in one window of API_RATE_LIMIT, counted in the database so
    that every web process sees the same count (integrations/rate_limit.py; Redis counts
    instead when REDIS_URL is set). Past windows are deleted as new ones begin."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "window_start"], name="one_count_per_client_and_window")
        ]

    def __str__(self):
        return f"{self.client_id} from {self.window_start:%H:%M:%S}: {self.count}"


class EventType(models.TextChoices):
    LEAD_CREATED = "lead.created"
    LEAD_UPDATED = "lead.updated"
    LEAD_ASSIGNED = "lead.assigned"
    LEAD_OPTED_OUT = "lead.opted_out"
    MESSAGE_RECEIVED = "message.received"
    MESSAGE_SENT = "message.sent"
    CALL_COMPLETED = "call.completed"
    APPOINTMENT_BOOKED = "appointment.booked"
    APPOINTMENT_RESCHEDULED = "appointment.rescheduled"
    APPOINTMENT_CANCELLED = "appointment.cancelled"


# Events about an activity on the lead (not the lead record): CRMs log them on the timeline.
ACTIVITY_EVENT_TYPES = (
    EventType.CALL_COMPLETED,
    EventType.APPOINTMENT_BOOKED,
    EventType.APPOINTMENT_RESCHEDULED,
    EventType.APPOINTMENT_CANCELLED,
)


def all_event_types() -> list[str]:
    return list(EventType.values)


def mask_secret(value: str) -> str:
    """Enough to recognise a secret, never enough to use it."""
    if not value:
        return ""
    return f"{value[:6]}…{value[-4:]}" if len(value) > 16 else "•" * 8


class DeliveryTarget(models.Model):
    """What webhook subscriptions and CRM integrations share: the events they take and how
    their deliveries have been going, for operators."""

    events = models.JSONField(default=all_event_types, help_text="Event types sent here")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_failure_message = models.TextField(blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="First failure since the last success"
    )
    disabled_reason = models.TextField(blank=True, help_text="Why it was switched off automatically")

    class Meta:
        abstract = True

    def echo_actor(self) -> str | None:
        """The actor whose changes came from this target, so are not sent back to it."""
        raise NotImplementedError

    def is_receiving(self) -> bool:
        return self.active


class WebhookSubscription(DeliveryTarget):
    """An endpoint that receives signed events (Standard Webhooks)."""

    owner = models.ForeignKey(
        ApiClient,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="webhook_subscriptions",
        help_text="The API client that subscribed; its own changes are not sent back to it",
    )
    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    secret = models.CharField(max_length=100, editable=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.url

    @staticmethod
    def new_secret() -> str:
        return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()

    def echo_actor(self) -> str | None:
        return self.owner.actor if self.owner_id else None

    def is_receiving(self) -> bool:
        # A revoked API client's subscriptions go quiet with its token.
        return self.active and (self.owner_id is None or self.owner.active)


class CrmKind(models.TextChoices):
    HUBSPOT = "hubspot", "HubSpot"
    SALESFORCE = "salesforce", "Salesforce"
    TOTAL_EXPERT = "total_expert", "Total Expert"


class CrmIntegration(DeliveryTarget):
    """A CRM kept in step by a connector. Blank credentials fall back to the environment."""

    kind = models.CharField(max_length=16, choices=CrmKind.choices)
    name = models.CharField(max_length=100, unique=True)
    api_client = models.ForeignKey(
        ApiClient,
        verbose_name="API client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The API client this CRM uses to call us; its changes are not sent back to it",
    )
    field_mapping = models.JSONField(
        default=dict,
        blank=True,
        help_text="Our field -> the CRM's property or field name; leave a field out to not send it",
    )
    access_token = models.TextField(blank=True, help_text="HubSpot private app token / Salesforce token")
    instance_url = models.URLField(
        "Salesforce instance URL", blank=True, help_text="https://yourdomain.my.salesforce.com"
    )
    client_id = models.CharField(
        "client ID",
        max_length=255,
        blank=True,
        help_text="Salesforce connected app / Total Expert API client",
    )
    client_secret = models.TextField(
        blank=True, help_text="Salesforce connected app / Total Expert API client"
    )
    api_base_url = models.URLField(
        "API base URL",
        blank=True,
        help_text="Total Expert: blank for TOTAL_EXPERT_API_BASE_URL (production). A URL set here is "
        "only called with the client id and secret set here.",
    )
    default_owner = models.CharField(
        max_length=255,
        blank=True,
        help_text="Total Expert: the user (e-mail or username) who owns contacts of leads with no "
        "officer, or whose officer is not a Total Expert user",
    )
    webhook_secret = models.TextField(
        blank=True, help_text="Total Expert: the secret its webhook notifications carry"
    )

    SECRET_FIELDS = ("access_token", "client_secret", "webhook_secret")

    class Meta:
        ordering = ["name"]
        verbose_name = "CRM integration"

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"

    def echo_actor(self) -> str | None:
        return self.api_client.actor if self.api_client_id else self.inbound_actor

    @property
    def inbound_actor(self) -> str:
        """How the leads app names changes this CRM pushes to us through its own webhooks."""
        return f"crm:{self.name}"


class OutboundEvent(models.Model):
    """Something that happened, as its Standard Webhooks payload; recorded with the change."""

    msg_id = models.CharField(max_length=40, unique=True, editable=False)
    type = models.CharField(max_length=32, choices=EventType.choices, db_index=True)
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    message_id = models.UUIDField(null=True, blank=True, help_text="For message events")
    actor = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text="The exact JSON sent (and signed) on every attempt")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.type} {self.msg_id}"

    @staticmethod
    def new_msg_id() -> str:
        return f"msg_{uuid.uuid4().hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending"
    DELIVERING = "delivering"
    SUCCEEDED = "succeeded"
    FAILED = "failed", "Failed (gave up)"


OPEN_DELIVERY_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.DELIVERING)


class Delivery(models.Model):
    """One event for one target (a webhook subscription or a CRM). Per target, in event order."""

    event = models.ForeignKey(OutboundEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    integration = models.ForeignKey(
        CrmIntegration, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(subscription__isnull=False, integration__isnull=True)
                | Q(subscription__isnull=True, integration__isnull=False),
                name="delivery_has_one_target",
            ),
            # An event is delivered once per target, however often the recording runs.
            models.UniqueConstraint(fields=["event", "subscription"], name="one_delivery_per_subscription"),
            models.UniqueConstraint(fields=["event", "integration"], name="one_delivery_per_integration"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["subscription", "status"]),
            models.Index(fields=["integration", "status"]),
        ]

    def __str__(self):
        return f"{self.event.type} -> {self.target}"

    @property
    def target(self) -> DeliveryTarget:
        return self.subscription or self.integration

    def target_filter(self) -> dict:
        if self.subscription_id:
            return {"subscription_id": self.subscription_id}
        return {"integration_id": self.integration_id}


class AttemptOutcome(models.TextChoices):
    IN_PROGRESS = "in_progress", "in progress"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted", "interrupted (worker stopped)"


class DeliveryAttempt(models.Model):
    """One try of a delivery, saved before the call and completed after it."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    outcome = models.CharField(
        max_length=12, choices=AttemptOutcome.choices, default=AttemptOutcome.IN_PROGRESS
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]

    def __str__(self):
        return f"attempt {self.number}: {self.outcome}"


class CrmRecord(models.Model):
    """What a lead or a message is called in a CRM, so updates reach the same record."""

    integration = models.ForeignKey(CrmIntegration, on_delete=models.CASCADE, related_name="records")
    object_type = models.CharField(max_length=16, help_text="lead, message, sms_opting or subscription")
    local_id = models.CharField(max_length=64)
    remote_id = models.CharField(max_length=64)
    data = models.JSONField(
        default=dict, blank=True, help_text="What we last wrote to the CRM, to tell its own changes from ours"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "CRM record"
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "object_type", "local_id"], name="one_crm_record_per_object"
            )
        ]
        indexes = [models.Index(fields=["integration", "object_type", "remote_id"])]

    def __str__(self):
        return f"{self.object_type} {self.local_id} = {self.remote_id}"


class InboundStatus(models.TextChoices):
    PENDING = "pending"
    PROCESSING = "processing"
    APPLIED = "applied"
    IGNORED = "ignored"
    FAILED = "failed", "Failed (gave up)"


class CrmNotification(models.Model):
    """A change notification a CRM sent us (Total Expert's webhooks), saved before it is acted on."""

    integration = models.ForeignKey(CrmIntegration, on_delete=models.CASCADE, related_name="notifications")
    item = models.CharField(max_length=40, help_text="What changed, e.g. CONTACT")
    action = models.CharField(max_length=40, help_text="How, e.g. UPDATED")
    remote_id = models.CharField(max_length=64, help_text="The CRM's id of the record")
    hash_value = models.CharField(max_length=128, blank=True, help_text="The CRM's digest of the record")
    status = models.CharField(
        max_length=12, choices=InboundStatus.choices, default=InboundStatus.PENDING, db_index=True
    )
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.TextField(blank=True, help_text="What it changed, or why it changed nothing")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "CRM notification"
        indexes = [
            models.Index(fields=["integration", "item", "remote_id"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self):
        return f"{self.item} {self.action} {self.remote_id}"
