import calendar
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leads.choices import LeadStatus
from leads.models import Lead


class Trigger(models.TextChoices):
    """What enrolls a lead in a cadence on its own (at most one active cadence per trigger)."""

    NO_REPLY = "no_reply", "The first text was sent (nudges until the borrower replies)"
    NURTURING = "nurturing", "The lead became `nurturing` (not ready yet)"
    MANUAL = "manual", "Only by hand (re-engagement action or CSV import)"


FINISH_STATUS_CHOICES = [
    ("", "leave the status as it is"),
    (LeadStatus.UNRESPONSIVE, "unresponsive"),
    (LeadStatus.NURTURING, "nurturing (starts the not-ready cadence)"),
    (LeadStatus.CLOSED_LOST, "closed_lost"),
]


class Cadence(models.Model):
    """A list of timed texts that keeps in touch with a borrower until they reply."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(
        max_length=100, unique=True, help_text="Shown to CRMs as the lead's nurture.cadence"
    )
    trigger = models.CharField(max_length=12, choices=Trigger.choices, default=Trigger.MANUAL)
    active = models.BooleanField(
        default=True, help_text="Switching a cadence off stops its enrollments at their next step"
    )
    description = models.TextField(blank=True)
    repeat_last_step = models.PositiveSmallIntegerField(
        default=0, help_text="Send the last step this many more times (e.g. monthly touches)"
    )
    finish_status = models.CharField(
        max_length=20,
        choices=FINISH_STATUS_CHOICES,
        blank=True,
        help_text="The lead's status once every step went out without a reply",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["trigger"],
                condition=Q(active=True) & ~Q(trigger="manual"),
                name="one_active_cadence_per_trigger",
                violation_error_message="Another active cadence already starts on this trigger.",
            )
        ]

    def __str__(self):
        return self.name


class DelayUnit(models.TextChoices):
    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WEEKS = "weeks"
    MONTHS = "months"


class DelayFrom(models.TextChoices):
    PREVIOUS = "previous", "the previous step (or enrollment, for the first)"
    ENROLLMENT = "enrollment", "enrollment"


# Step conditions look at these lead fields; the values are the API's.
CONDITION_FIELDS = [
    ("loan_purpose", "loan purpose"),
    ("loan_type", "loan type"),
    ("timeline", "timeline"),
    ("temperature", "temperature"),
    ("source", "source"),
    ("property_state", "property state"),
    ("language", "language"),
]


class CadenceStep(models.Model):
    """One text of a cadence: when (a delay) and what (a template with the lead's fields)."""

    cadence = models.ForeignKey(Cadence, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(help_text="Steps run in this order")
    delay_amount = models.PositiveIntegerField()
    delay_unit = models.CharField(max_length=8, choices=DelayUnit.choices, default=DelayUnit.DAYS)
    delay_from = models.CharField(max_length=10, choices=DelayFrom.choices, default=DelayFrom.PREVIOUS)
    body = models.TextField(
        help_text="Placeholders: {first_name} {last_name} {company} {company_nmls} {officer_name} "
        "{officer_nmls} {loan_topic} {property_state}. The opt-out line is added when missing."
    )
    body_es = models.TextField(blank=True, help_text="Spanish text, for leads whose language is es")
    condition_field = models.CharField(
        max_length=20, choices=CONDITION_FIELDS, blank=True, help_text="Send only when this field..."
    )
    condition_values = models.CharField(
        max_length=200, blank=True, help_text="...is one of these values, comma-separated (API values)"
    )

    class Meta:
        ordering = ["cadence", "position"]
        constraints = [models.UniqueConstraint(fields=["cadence", "position"], name="one_step_per_position")]

    def __str__(self):
        return f"{self.cadence} #{self.position} (+{self.delay_amount} {self.delay_unit})"

    def clean(self):
        from nurture.rendering import template_errors

        first_text = self.is_first_text()
        errors = {
            f: template_errors(getattr(self, f), language=language, first_text=first_text)
            for f, language in (("body", "en"), ("body_es", "es"))
            if getattr(self, f).strip()
        }
        errors = {f: e for f, e in errors.items() if e}
        if bool(self.condition_field) != bool(self.condition_values.strip()):
            errors["condition_values"] = "Give both a field and its values, or neither."
        if errors:
            raise ValidationError(errors)

    def is_first_text(self) -> bool:
        """The first step of a re-engagement cadence is the first text an aged lead gets from us:
        it must name the company and carry its NMLS ID."""
        if self.cadence_id is None or self.cadence.trigger != Trigger.MANUAL:
            return False
        earlier = self.cadence.steps.filter(position__lt=self.position)
        return not (earlier.exclude(pk=self.pk) if self.pk else earlier).exists()

    def applies_to(self, lead) -> bool:
        if not self.condition_field:
            return True
        wanted = {v.strip().lower() for v in self.condition_values.split(",") if v.strip()}
        return str(getattr(lead, self.condition_field) or "").lower() in wanted

    def due_after(self, anchor: datetime, zone: ZoneInfo) -> datetime:
        """`anchor` plus the delay; days and longer keep the borrower's wall-clock time over DST."""
        if self.delay_unit in (DelayUnit.MINUTES, DelayUnit.HOURS):
            return anchor + timedelta(**{self.delay_unit: self.delay_amount})
        local = anchor.astimezone(zone)
        if self.delay_unit == DelayUnit.MONTHS:
            shifted = add_months(local, self.delay_amount)
        else:
            shifted = local + timedelta(**{self.delay_unit: self.delay_amount})
        return shifted.astimezone(anchor.tzinfo)


def add_months(moment: datetime, months: int) -> datetime:
    """Same day next month(s), or the month's last day when it is shorter (Jan 31 -> Feb 28)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


class EnrollmentState(models.TextChoices):
    ACTIVE = "active"
    FINISHED = "finished", "finished (every step went out)"
    STOPPED = "stopped"


class Enrollment(models.Model):
    """A lead going through a cadence: which step comes next, and when."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="nurture_enrollments")
    cadence = models.ForeignKey(Cadence, on_delete=models.PROTECT, related_name="enrollments")
    # The next step to send; PROTECT: a step in use is not deleted under a waiting borrower.
    step = models.ForeignKey(
        CadenceStep, null=True, blank=True, on_delete=models.PROTECT, related_name="enrollments"
    )
    repeats_done = models.PositiveSmallIntegerField(default=0, help_text="Of the cadence's last step")
    state = models.CharField(max_length=10, choices=EnrollmentState.choices, default=EnrollmentState.ACTIVE)
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="Always inside the contact window")
    # When the current step was scheduled: an officer's text after this cancels it.
    step_scheduled_at = models.DateTimeField(default=timezone.now)
    enrolled_at = models.DateTimeField(default=timezone.now)
    enrolled_by = models.CharField(max_length=200, blank=True)
    touches_sent = models.PositiveIntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=40, blank=True)
    last_error = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-enrolled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"],
                condition=Q(state="active"),
                name="one_active_enrollment_per_lead",
                violation_error_message="This lead is already in an active cadence.",
            )
        ]
        indexes = [
            # The dispatcher's query: active enrollments by due time, oldest first.
            models.Index(fields=["next_run_at"], condition=Q(state="active"), name="nurture_enrollment_due")
        ]

    def __str__(self):
        return f"{self.lead} in {self.cadence} ({self.state})"


class LeadToReengage(Lead):
    """The leads, as ops see them when re-engaging aged ones (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "lead to re-engage"
        verbose_name_plural = "leads to re-engage"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReengagementImport(models.Model):
    """A CSV of aged leads uploaded in the admin, imported by a background job in slices.

    The file is kept here (not on a disk one web machine sees) so any worker can read it."""

    file_name = models.CharField(max_length=255)
    content = models.BinaryField(editable=False)
    cadence = models.ForeignKey(Cadence, on_delete=models.PROTECT, related_name="imports")
    consent_text = models.TextField(help_text="Recorded for rows without a consent_text column")
    start_now = models.BooleanField(default=True)
    created_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    not_texted = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    # Set by every slice of rows: a job whose heartbeat stops while not done was lost.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = "CSV import of leads to re-engage"
        verbose_name_plural = "CSV imports of leads to re-engage"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportOutcome(models.TextChoices):
    ENROLLED = "enrolled"
    NOT_TEXTED = "not texted"
    REJECTED = "rejected"


class ReengagementImportRow(models.Model):
    """What became of one line of the file. Unique per line: a slice run twice skips lines done."""

    job = models.ForeignKey(ReengagementImport, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    phone = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=12, choices=ImportOutcome.choices)
    detail = models.TextField(blank=True)
    lead = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["line"]
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="one_result_per_import_line")]

    def __str__(self):
        return f"line {self.line}: {self.outcome}"
