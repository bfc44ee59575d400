import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leads.choices import LoanType
from mortgage_sms.timefmt import local

MONDAY_TO_FRIDAY = [0, 1, 2, 3, 4]


def all_products() -> list[str]:
    return [value for value, _ in LoanType.choices if value != LoanType.UNSURE]


def validate_time_zone(value: str) -> None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValidationError(f"{value!r} is not a time zone, e.g. America/Chicago.") from error


def new_calendar_token() -> str:
    return secrets.token_urlsafe(32)


class LoanOfficer(models.Model):
    """A licensed loan officer who can be offered and claim leads."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loan_officer"
    )
    name = models.CharField(max_length=120)
    nmls_id = models.CharField("NMLS ID", max_length=20)
    mobile_phone = models.CharField(max_length=20, blank=True, help_text="E.164, for alerts")
    email = models.EmailField(blank=True)
    licensed_states = models.JSONField(default=list, help_text='Two-letter codes, e.g. ["TX"]')
    products = models.JSONField(default=all_products, help_text="Loan types offered")
    capacity = models.PositiveIntegerField(default=25, help_text="Most open leads at once")
    time_zone = models.CharField(max_length=64, default="America/Chicago", validators=[validate_time_zone])
    work_start = models.TimeField(default="08:00")
    work_end = models.TimeField(default="18:00", help_text="Earlier than the start: an overnight shift")
    work_days = models.JSONField(default=list, help_text="0=Monday .. 6=Sunday; empty: Mon-Fri")
    after_hours = models.BooleanField(default=False, help_text="Takes offers outside hours")
    out_of_office_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # Self-service: the officer sets these on /officer/settings/.
    on_duty = models.BooleanField(default=True, help_text="Off duty: no offers, no call prompts")
    alert_by_sms = models.BooleanField(default=True, help_text="Reply alerts by text (needs a mobile)")
    alert_by_email = models.BooleanField(default=False, help_text="Reply alerts by e-mail")
    # The secret in the officer's private calendar feed URL; a new one revokes the old URL.
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (NMLS {self.nmls_id})"

    def is_licensed_in(self, state: str | None) -> bool:
        return bool(state) and state in self.licensed_states

    def offers_product(self, loan_type: str | None) -> bool:
        """A borrower who does not know the loan type yet does not rule anyone out."""
        if loan_type in (None, "", LoanType.UNSURE):
            return True
        return loan_type in self.products

    def is_out_of_office(self, now: datetime) -> bool:
        return self.out_of_office_until is not None and self.out_of_office_until > now

    def is_working_at(self, now: datetime) -> bool:
        """Inside working hours in the officer's own time zone (an overnight shift spans midnight)."""
        local = now.astimezone(ZoneInfo(self.time_zone))
        days = self.work_days or MONDAY_TO_FRIDAY
        start, end, clock = _as_time(self.work_start), _as_time(self.work_end), local.time()
        if start <= end:
            return local.weekday() in days and start <= clock < end
        yesterday = (local.weekday() - 1) % 7
        return (local.weekday() in days and clock >= start) or (yesterday in days and clock < end)

    def takes_offers_at(self, now: datetime) -> bool:
        return self.after_hours or self.is_working_at(now)

    def is_available_at(self, now: datetime) -> bool:
        """On duty, not away, inside working hours: a borrower can be told someone will call."""
        return self.active and self.on_duty and not self.is_out_of_office(now) and self.is_working_at(now)


def _as_time(value) -> time:
    # A default given as "08:00" stays a string on an instance that was never reloaded.
    return time.fromisoformat(value) if isinstance(value, str) else value


class Pool(models.Model):
    """A team of officers that routing rules hand leads to."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=200, blank=True)
    officers = models.ManyToManyField(LoanOfficer, related_name="pools", blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Strategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOADED = "least_loaded", "Least loaded"
    BROADCAST = "broadcast", "Broadcast, first to claim wins"


STRATEGY_HELP = (
    "Round robin: one officer at a time, in turn. Least loaded: the officer with the fewest open "
    "leads. Broadcast: everyone eligible at once; the first to claim wins."
)


RULE_CONDITIONS = ("property_states", "loan_purposes", "loan_types", "sources", "temperatures")


class RoutingRule(models.Model):
    """Which officers a lead goes to, and how. Rules are tried in priority order."""

    name = models.CharField(max_length=100)
    priority = models.PositiveIntegerField(default=100, help_text="Lower runs first")
    active = models.BooleanField(default=True)
    # Conditions: each is a list of allowed values; an empty list matches anything.
    property_states = models.JSONField(default=list, blank=True)
    loan_purposes = models.JSONField(default=list, blank=True)
    loan_types = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    temperatures = models.JSONField(default=list, blank=True)
    pool = models.ForeignKey(
        Pool, null=True, blank=True, on_delete=models.PROTECT, help_text="Empty: every officer"
    )
    strategy = models.CharField(
        max_length=16, choices=Strategy.choices, default=Strategy.ROUND_ROBIN, help_text=STRATEGY_HELP
    )
    offer_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="How long an offer stays open; empty: the ROUTING_OFFER_SECONDS setting",
    )
    overflow = models.BooleanField(
        default=True, help_text="When nobody in this pool can take the lead, try the next rule"
    )
    # Round robin remembers whose turn it was in the database, so a restart changes nothing.
    round_robin_after = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["priority", "id"]

    def __str__(self):
        return self.name

    @property
    def is_catch_all(self) -> bool:
        return not any(getattr(self, field) for field in RULE_CONDITIONS)

    def matches(self, lead) -> bool:
        values = {
            "property_states": lead.property_state or lead.state or None,
            "loan_purposes": lead.loan_purpose,
            "loan_types": lead.loan_type,
            "sources": lead.source,
            "temperatures": lead.temperature,
        }
        return all(
            not getattr(self, field) or value in getattr(self, field) for field, value in values.items()
        )

    def offer_duration(self) -> timedelta:
        return timedelta(seconds=self.offer_seconds or settings.ROUTING_OFFER_SECONDS)


class RequestStatus(models.TextChoices):
    OFFERING = "offering", "offering to officers"
    WAITING = "waiting", "waiting for ops (nobody eligible)"
    CLAIMED = "claimed"
    CANCELLED = "cancelled"


OPEN_REQUEST_STATUSES = (RequestStatus.OFFERING, RequestStatus.WAITING)


class RoutingRequest(models.Model):
    """One search for an officer for one lead: its offers, and how it ended."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="routing_requests")
    reason = models.CharField(max_length=200)
    status = models.CharField(
        max_length=10, choices=RequestStatus.choices, default=RequestStatus.OFFERING, db_index=True
    )
    claimed_by = models.ForeignKey(
        LoanOfficer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    excluded_officer_ids = models.JSONField(default=list, blank=True, help_text="e.g. who released it")
    note = models.TextField(blank=True, help_text="Why nobody was eligible, or why it was cancelled")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    ops_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A qualified signal and a hand-off arriving together start one search, not two.
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(status__in=OPEN_REQUEST_STATUSES),
                name="one_open_routing_per_lead",
            )
        ]

    def __str__(self):
        return f"Routing of {self.lead} ({self.status})"


class OpsQueue(RoutingRequest):
    """The leads nobody could be offered: ops assign or re-route them."""

    class Meta:
        proxy = True
        verbose_name = "ops queue entry"
        verbose_name_plural = "ops queue (nobody eligible)"


class OfferStatus(models.TextChoices):
    PENDING = "pending"
    CLAIMED = "claimed"
    TAKEN = "taken", "claimed by another officer"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class Offer(models.Model):
    """A lead put in front of one officer until it is claimed or expires."""

    request = models.ForeignKey(RoutingRequest, on_delete=models.CASCADE, related_name="offers")
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="offers")
    officer = models.ForeignKey(LoanOfficer, on_delete=models.PROTECT, related_name="offers")
    rule = models.ForeignKey(RoutingRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    strategy = models.CharField(max_length=16, choices=Strategy.choices)
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.PENDING, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    alerted_at = models.DateTimeField(null=True, blank=True)
    alert_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["request", "officer"], name="one_offer_per_officer_per_routing")
        ]

    def __str__(self):
        return f"Offer of {self.lead} to {self.officer.name} ({self.status})"

    def seconds_left(self, now: datetime) -> int:
        return max(0, int((self.expires_at - now).total_seconds()))


class ThreadWatch(models.Model):
    """What the officer has not yet seen or answered on one of their leads' threads.

    Alerts are batched per thread: at most one per ALERT_BATCH_MINUTES; a sweep sends what
    arrived meanwhile. A borrower waiting past OFFICER_REMIND_MINUTES reminds the officer,
    past OFFICER_ESCALATE_MINUTES tells ops."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(LoanOfficer, on_delete=models.CASCADE, related_name="thread_watches")
    waiting_since = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Oldest unanswered text"
    )
    unread_since = models.DateTimeField(null=True, blank=True, help_text="Oldest text not seen on the page")
    last_inbound_at = models.DateTimeField(null=True, blank=True)
    wants_call = models.BooleanField(default=False, help_text="The borrower asked to be called")
    alerted_at = models.DateTimeField(null=True, blank=True, help_text="Last alert sent")
    alerted_through = models.DateTimeField(null=True, blank=True, help_text="Texts up to here were alerted")
    reminded_at = models.DateTimeField(null=True, blank=True)
    ops_alerted_at = models.DateTimeField(null=True, blank=True)
    alert_error = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["lead", "officer"], name="one_watch_per_thread")]

    def __str__(self):
        return f"{self.officer.name} watching {self.lead_id}"


class PushSubscription(models.Model):
    """A browser the officer allowed to show notifications (Web Push, VAPID-signed)."""

    officer = models.ForeignKey(LoanOfficer, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)

    def __str__(self):
        return f"Push to {self.officer.name} ({self.endpoint[:40]}…)"


class LeadNote(models.Model):
    """A private note an officer keeps on a lead (never sent to the borrower)."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="notes")
    officer = models.ForeignKey(LoanOfficer, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Note by {self.officer.name}: {self.body[:40]}"


MERGE_FIELDS_HELP = "Merge fields: {first_name}, {officer_name}, {officer_first_name}, {company}"


class SavedReply(models.Model):
    """A reply an officer sends often; shared with everyone when it has no officer."""

    officer = models.ForeignKey(
        LoanOfficer,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="saved_replies",
        help_text="Empty: every officer sees it",
    )
    title = models.CharField(max_length=60)
    body = models.TextField(max_length=1600, help_text=MERGE_FIELDS_HELP)

    class Meta:
        ordering = ["title"]
        verbose_name_plural = "saved replies"

    def __str__(self):
        return self.title


class ScheduledStatus(models.TextChoices):
    SCHEDULED = "scheduled"
    SENT = "sent", "handed to the outbox"
    CANCELLED = "cancelled"


class ScheduledReply(models.Model):
    """An officer's text to go at a set time (inside the borrower's contact window)."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey(LoanOfficer, on_delete=models.CASCADE, related_name="scheduled_replies")
    body = models.TextField(max_length=1600)
    send_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=10, choices=ScheduledStatus.choices, default=ScheduledStatus.SCHEDULED, db_index=True
    )
    result = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["send_at"]
        verbose_name_plural = "scheduled replies"

    def __str__(self):
        return f"Reply to {self.lead_id} at {local(self.send_at)}"
