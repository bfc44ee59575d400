import uuid

from django.db import models
from django.utils import timezone

from leads.choices import STATE_CHOICES
from mortgage_sms.timefmt import local


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
    UNKNOWN = "unknown", "Unknown (may have gone out: review)"
    RECEIVED = "received"


class Sender(models.TextChoices):
    BORROWER = "borrower"
    AGENT = "agent", "Assistant"
    OFFICER = "officer"
    NURTURE = "nurture"
    SYSTEM = "system"


class Kind(models.TextChoices):
    """Why a text goes out; decides which rules of send_sms apply to it."""

    FIRST_CONTACT = "first_contact", "First text"
    REPLY = "reply", "Reply to the borrower"
    NURTURE = "nurture"
    COMPLIANCE = "compliance", "Opt-out / opt-in / help answer"
    INTRODUCTION = "introduction", "Officer introduction"
    SYSTEM = "system", "Alert to staff"
    INBOUND = "inbound", "From the borrower"


# The law requires these, or they go to staff: sent at once, at any hour.
WINDOW_EXEMPT_KINDS = (Kind.COMPLIANCE, Kind.SYSTEM)
# The borrower asked for these: at any hour where the borrower's state exempts them (a first
# text after an inquiry; a reply while the borrower is texting us, settings.REPLY_LIVE_MINUTES),
# otherwise held (queued, not refused) until the window opens. See windows.exempt_from_window.
HELD_KINDS = (Kind.FIRST_CONTACT, Kind.REPLY, Kind.INTRODUCTION)
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
    to_assistant = models.BooleanField(
        default=False,
        help_text="Handed to the assistant for a reply (if its task is lost, a sweeper queues it again)",
    )
    redacted = models.BooleanField(default=False, help_text="Sensitive numbers were masked")

    class Meta:
        ordering = ["created_at"]
        verbose_name = "text"
        indexes = [
            models.Index(fields=["lead", "created_at"]),
            models.Index(fields=["status", "retry_at"]),
        ]
        # The simulator texts in as any lead (a STOP there opts the borrower out): not for all staff.
        permissions = [("use_simulator", "Can use the borrower simulator")]

    def __str__(self):
        arrow = "<-" if self.direction == Direction.INBOUND else "->"
        return f"{arrow} {self.to_number if arrow == '->' else self.from_number}: {self.body[:40]}"


def _hours_check(start: str, end: str, name: str) -> models.CheckConstraint:
    """Both hours blank (no limit of this rule's own), or a window that opens before it closes."""
    both_blank = models.Q(**{f"{start}__isnull": True, f"{end}__isnull": True})
    ordered = models.Q(**{f"{start}__lt": models.F(end), f"{end}__lte": 24})
    return models.CheckConstraint(
        condition=both_blank | ordered,
        name=name,
        violation_error_message="Give both hours (the start before the end, ending by 24:00) or neither.",
    )


class ContactRule(models.Model):
    """A state's contact hours per weekday, closed days, holidays, cap and exemptions, or an
    emergency pause.

    State "*" applies to every state, together with the state's own row: the stricter wins.
    Pausing "*" holds every scheduled text at once. Hours are the borrower's local time; the
    end hour is exclusive (20 = until 8 p.m.)."""

    state = models.CharField(max_length=2, unique=True, choices=[("*", "All states"), *STATE_CHOICES])
    start_hour = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Monday to Friday (and Saturday and Sunday unless set below). Blank: the default "
        "window (CONTACT_WINDOW_START_HOUR / END_HOUR)",
    )
    end_hour = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Exclusive: 21 = until 9 p.m."
    )
    saturday_start_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    saturday_end_hour = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Blank: as on weekdays"
    )
    sunday_start_hour = models.PositiveSmallIntegerField(null=True, blank=True)
    sunday_end_hour = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Blank: as on weekdays"
    )
    skip_sundays = models.BooleanField(
        "closed on Sundays", default=False, help_text="No scheduled texts on Sundays"
    )
    skip_state_holidays = models.BooleanField(
        "closed on state holidays",
        default=False,
        help_text="No scheduled texts on the state's own public holidays (federal ones are always "
        "skipped unless CONTACT_WINDOW_SKIP_FEDERAL_HOLIDAYS is off)",
    )
    max_per_24h = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Texts we start (not replies to the borrower), per rolling 24 hours"
    )
    cap_counts_calls = models.BooleanField(
        default=False, help_text="The state's cap counts calls and texts together"
    )
    first_contact_exempt = models.BooleanField(
        default=True,
        help_text="The first text after the borrower's own inquiry goes at any hour (the law exempts "
        "a response to the consumer's request). Off: it waits for the hours above.",
    )
    live_reply_exempt = models.BooleanField(
        default=True,
        help_text="Replies while the borrower is texting us (REPLY_LIVE_MINUTES) go at any hour. "
        "Off: they wait for the hours above.",
    )
    paused = models.BooleanField(default=False, help_text="Hold all scheduled texts (emergency)")
    citation = models.CharField(max_length=300, blank=True, help_text="The statute or rule")
    checked_on = models.DateField(null=True, blank=True, help_text="When the citation was last checked")
    note = models.TextField(blank=True, help_text="What the law says, what was verified, why the exemptions")

    class Meta:
        ordering = ["state"]
        constraints = [
            _hours_check("start_hour", "end_hour", "contact_rule_window_not_empty"),
            _hours_check("saturday_start_hour", "saturday_end_hour", "contact_rule_saturday_not_empty"),
            _hours_check("sunday_start_hour", "sunday_end_hour", "contact_rule_sunday_not_empty"),
        ]

    def __str__(self):
        return f"{self.state}: {self.hours_summary()}"

    def day_hours(self, weekday: int) -> tuple[int, int] | None:
        """This rule's own hours on a weekday (Monday is 0): (start, end), (0, 24) when the
        rule sets none, None when closed all day."""
        if weekday == 6 and self.skip_sundays:
            return None
        weekend = {
            5: (self.saturday_start_hour, self.saturday_end_hour),
            6: (self.sunday_start_hour, self.sunday_end_hour),
        }
        start, end = weekend.get(weekday, (None, None))
        if start is None:
            start, end = self.start_hour, self.end_hour
        return (0, 24) if start is None else (start, end)

    def hours_summary(self) -> str:
        """'Mon-Fri 09-18, Sat 10-17, Sun closed' in the rule's own terms."""
        days = {"Mon-Fri": self.day_hours(0), "Sat": self.day_hours(5), "Sun": self.day_hours(6)}
        parts = [f"{name} {_hours_text(hours)}" for name, hours in days.items()]
        if days["Sat"] == days["Mon-Fri"] and days["Sun"] == days["Mon-Fri"]:
            parts = [f"every day {_hours_text(days['Mon-Fri'])}"]
        elif days["Sat"] == days["Mon-Fri"]:
            parts = [f"Mon-Sat {_hours_text(days['Mon-Fri'])}", parts[2]]
        return ", ".join(parts)


def _hours_text(hours: tuple[int, int] | None) -> str:
    if hours is None:
        return "closed"
    if hours == (0, 24):
        return "the default window"
    return f"{hours[0]:02d}:00-{hours[1]:02d}:00"


class AgentBackend(models.TextChoices):
    SCRIPTED = "scripted"
    CLAUDE = "claude"


class TurnOutcome(models.TextChoices):
    STARTED = "started", "started (still running, or the worker died)"
    ANSWERED = "answered"
    FELL_BACK = "fell_back", "answered by the scripted fallback"
    ABSORBED = "absorbed", "answered together with a later text (a burst)"


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
    number = models.PositiveIntegerField(null=True, blank=True, help_text="The lead's turns in order")
    commands = models.JSONField(
        default=list, blank=True, help_text="What the borrower's text said, as understanding read it"
    )
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
        return f"{self.backend} turn {local(self.created_at, seconds=True)} ({self.intent or self.outcome})"


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
    cache_read_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text="Input tokens read from the prompt cache"
    )
    cache_write_tokens = models.PositiveIntegerField(
        null=True, blank=True, help_text="Input tokens written to the prompt cache"
    )
    cost_usd = models.DecimalField(
        max_digits=10,
        decimal_places=6,
        null=True,
        blank=True,
        help_text="At list price (ANTHROPIC_PRICE_PER_MTOK overrides)",
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = "LLM call"

    def __str__(self):
        return f"{self.provider}/{self.model} {self.outcome}"
