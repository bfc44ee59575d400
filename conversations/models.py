import uuid

from django.db import models
from django.utils import timezone

from leads.choices import STATE_CHOICES


class Direction(models.TextChoices):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class MessageStatus(models.TextChoices):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    DELIVERED = "delivered"
    UNDELIVERED = "undelivered"
    FAILED = "failed"
    UNKNOWN = "unknown", "unknown (worker died mid-send: review)"
    RECEIVED = "received"


class Sender(models.TextChoices):
    BORROWER = "borrower"
    AGENT = "agent"
    OFFICER = "officer"
    NURTURE = "nurture"
    SYSTEM = "system"


class Kind(models.TextChoices):
    """Why a text goes out; decides which rules of send_sms apply to it."""

    FIRST_CONTACT = "first_contact"
    REPLY = "reply", "reply to the borrower"
    NURTURE = "nurture"
    COMPLIANCE = "compliance", "opt-out / opt-in / help answer"
    INTRODUCTION = "introduction", "officer introduction"
    SYSTEM = "system", "alert to staff"
    INBOUND = "inbound"


# The borrower asked for these (or the law requires them): sent at once, at any hour.
WINDOW_EXEMPT_KINDS = (Kind.FIRST_CONTACT, Kind.COMPLIANCE, Kind.SYSTEM)
# Answers to the borrower: at any hour while they are texting us (the conversation is live,
# settings.REPLY_LIVE_MINUTES); otherwise held (queued, not refused) until their window opens.
LIVE_EXEMPT_KINDS = (Kind.REPLY, Kind.INTRODUCTION)
# These carry "Reply STOP to opt out" unless the text already says how.
OPT_OUT_LINE_KINDS = (Kind.FIRST_CONTACT, Kind.NURTURE)
FINAL_OUTBOUND_STATUSES = (
    MessageStatus.DELIVERED,
    MessageStatus.UNDELIVERED,
    MessageStatus.FAILED,
)


class Message(models.Model):
    """One text, in or out. Outbound rows are the outbox: saved before any gateway call."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey(
        "leads.Lead", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    sender = models.CharField(max_length=8, choices=Sender.choices)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    officer = models.ForeignKey(
        "routing.LoanOfficer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_number = models.CharField(max_length=20)
    from_number = models.CharField(max_length=20, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=12, choices=MessageStatus.choices, db_index=True)
    provider_sid = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Guards what must happen once, e.g. "first_contact:<lead>:<inquiry>", "nurture:<step>".
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True, help_text="Gateway call")
    # Inbound: when the worker took it up (claimed once, so a reply is never sent twice).
    processed_at = models.DateTimeField(null=True, blank=True)
    redacted = models.BooleanField(default=False, help_text="Sensitive numbers were masked")

    class Meta:
        ordering = ["created_at"]
        indexes = [
            models.Index(fields=["lead", "created_at"]),
            models.Index(fields=["status", "retry_at"]),
        ]

    def __str__(self):
        arrow = "<-" if self.direction == Direction.INBOUND else "->"
        return f"{arrow} {self.to_number if arrow == '->' else self.from_number}: {self.body[:40]}"


class ContactRule(models.Model):
    """A state's stricter contact window, frequency cap, rest days or emergency pause.

    State "*" applies to every state, together with the state's own row: the stricter wins.
    Pausing "*" holds every scheduled text at once."""

    state = models.CharField(max_length=2, unique=True, choices=[("*", "All states"), *STATE_CHOICES])
    start_hour = models.PositiveSmallIntegerField(default=8)
    end_hour = models.PositiveSmallIntegerField(default=21, help_text="Exclusive: 21 = until 9 p.m.")
    max_per_24h = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Texts that are not replies, per rolling 24 hours"
    )
    paused = models.BooleanField(default=False, help_text="Hold all scheduled texts (emergency)")
    skip_sundays = models.BooleanField(default=False, help_text="No scheduled texts on Sundays")
    skip_state_holidays = models.BooleanField(
        default=False,
        help_text="No scheduled texts on the state's own public holidays (federal ones are always "
        "skipped unless CONTACT_WINDOW_SKIP_FEDERAL_HOLIDAYS is off)",
    )
    note = models.CharField(max_length=200, blank=True, help_text="The law or reason")

    class Meta:
        ordering = ["state"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_hour__lt=models.F("end_hour"), end_hour__lte=24),
                name="contact_rule_window_not_empty",
                violation_error_message="The window must start before it ends, and end by 24:00.",
            )
        ]

    def __str__(self):
        return f"{self.state}: {self.start_hour:02d}:00-{self.end_hour:02d}:00"


class AgentBackend(models.TextChoices):
    SCRIPTED = "scripted"
    CLAUDE = "claude"


class TurnOutcome(models.TextChoices):
    STARTED = "started", "started (still running, or the worker died)"
    ANSWERED = "answered"
    FELL_BACK = "fell_back", "answered by the scripted fallback"


class AgentTurn(models.Model):
    """The assistant's answer to one borrower text: saved before the agent (and any LLM) runs."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="agent_turns")
    # One turn per borrower text: a task that runs twice finds the turn and sends nothing new.
    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="agent_turn")
    reply_message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    backend = models.CharField(
        max_length=12, choices=AgentBackend.choices, help_text="The backend configured"
    )
    answered_by = models.CharField(max_length=12, choices=AgentBackend.choices, blank=True)
    outcome = models.CharField(
        max_length=12, choices=TurnOutcome.choices, default=TurnOutcome.STARTED, db_index=True
    )
    intent = models.CharField(max_length=14, blank=True, db_index=True)
    reason = models.CharField(max_length=200, blank=True, help_text="Why a hand-off or a disqualification")
    reply = models.TextField(blank=True)
    updates = models.JSONField(default=dict, blank=True, help_text="Fields the turn set")
    state = models.JSONField(default=dict, blank=True, help_text="The flow's memory after this turn")
    fallback_reason = models.CharField(
        max_length=40, blank=True, db_index=True, help_text="timeout, api_error, malformed, guardrail:<rule>"
    )
    guardrail = models.CharField(max_length=40, blank=True, help_text="A rule a scripted reply broke")
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["lead", "created_at"])]

    def __str__(self):
        return f"{self.backend} turn {self.created_at:%Y-%m-%d %H:%M:%S} ({self.intent or self.outcome})"


class LLMCallOutcome(models.TextChoices):
    STARTED = "started"
    OK = "ok"
    TIMEOUT = "timeout"
    ERROR = "error"
    MALFORMED = "malformed", "malformed answer"


class LLMCall(models.Model):
    """One request to an LLM provider, saved before the request is made."""

    turn = models.ForeignKey(AgentTurn, on_delete=models.CASCADE, related_name="llm_calls")
    provider = models.CharField(max_length=20)
    model = models.CharField(max_length=100)
    outcome = models.CharField(
        max_length=10, choices=LLMCallOutcome.choices, default=LLMCallOutcome.STARTED, db_index=True
    )
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    error = models.TextField(blank=True)
    stop_reason = models.CharField(max_length=30, blank=True)
    input_tokens = models.PositiveIntegerField(null=True, blank=True)
    output_tokens = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "LLM call"

    def __str__(self):
        return f"{self.provider}/{self.model} {self.outcome}"
