import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from leads.choices import (
    CLOSED_STATUSES,
    STATE_CHOICES,
    ConsentScope,
    Credit,
    Language,
    LeadStatus,
    LoanPurpose,
    LoanType,
    Source,
    Temperature,
    Timeline,
)
from mortgage_sms.timefmt import local


class Lead(models.Model):
    """One borrower, however many times they have asked; the conversation hangs off it."""

    id = models.UUIDField("ID", primary_key=True, default=uuid.uuid4, editable=False)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +15125550100")
    email = models.EmailField(blank=True)
    state = models.CharField(max_length=2, blank=True, choices=STATE_CHOICES)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WEB)
    source_detail = models.CharField("campaign (source detail)", max_length=200, blank=True)
    external_id = models.CharField("external ID", max_length=100, blank=True, db_index=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.ENGLISH)

    status = models.CharField(
        max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW, db_index=True
    )
    temperature = models.CharField(max_length=4, choices=Temperature.choices, null=True, blank=True)

    # Qualification: null means "not known yet".
    loan_purpose = models.CharField(max_length=20, choices=LoanPurpose.choices, null=True, blank=True)
    loan_type = models.CharField(max_length=12, choices=LoanType.choices, null=True, blank=True)
    timeline = models.CharField(max_length=14, choices=Timeline.choices, null=True, blank=True)
    preapproved = models.BooleanField("pre-approved", null=True, blank=True)
    has_agent = models.BooleanField("has an agent", null=True, blank=True)
    property_found = models.BooleanField(null=True, blank=True)
    property_state = models.CharField(max_length=2, choices=STATE_CHOICES, null=True, blank=True)
    credit = models.CharField(max_length=10, choices=Credit.choices, null=True, blank=True)
    first_time_buyer = models.BooleanField("first-time buyer", null=True, blank=True)

    # Prior express written consent, as the borrower gave it: what they agreed to, when, where.
    sms_consent = models.BooleanField("SMS consent", default=False)
    consent_text = models.TextField(blank=True)
    consent_at = models.DateTimeField("consent given at", null=True, blank=True)
    consent_source = models.CharField(max_length=200, blank=True)
    # A text the borrower sent us first is consent to answer it, not to market to them.
    consent_scope = models.CharField(
        max_length=12, choices=ConsentScope.choices, default=ConsentScope.WRITTEN
    )
    # Evidence a web form captured when the borrower agreed (the inquiry keeps its own copy).
    consent_ip = models.GenericIPAddressField("consent IP address", null=True, blank=True)
    consent_user_agent = models.TextField(blank=True)
    consent_page_url = models.URLField("consent page URL", max_length=2000, blank=True)
    trustedform_cert_url = models.URLField("TrustedForm certificate URL", max_length=500, blank=True)
    jornaya_leadid = models.CharField("Jornaya LeadiD", max_length=100, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    do_not_contact = models.BooleanField(default=False)
    # Set while a person (an officer) is talking to the borrower: the assistant stays quiet.
    ai_paused = models.BooleanField("assistant paused", default=False)

    assigned_officer = models.ForeignKey(
        "routing.LoanOfficer",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_leads",
    )
    # Written by the nurture app through leads.services, so the API can show it cheaply.
    nurture_cadence = models.CharField(max_length=100, blank=True)
    next_touch_at = models.DateTimeField("next nurture text", null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    first_contact_at = models.DateTimeField("first text at", null=True, blank=True)
    last_inbound_at = models.DateTimeField("last text from the borrower", null=True, blank=True)
    last_outbound_at = models.DateTimeField("last text to the borrower", null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two inquiries racing in from one phone cannot open two leads.
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(status__in=CLOSED_STATUSES),
                name="one_open_lead_per_phone",
            )
        ]

    def __str__(self):
        return f"{self.full_name or 'Unnamed'} ({self.phone})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_open(self) -> bool:
        return self.status not in CLOSED_STATUSES

    def contact_block_reason(self) -> str | None:
        """Why this borrower may not be texted, or None when they may (the company-wide
        do-not-contact list aside: leads.services.dnc_listed)."""
        if self.do_not_contact:
            return "do_not_contact"
        if self.opted_out_at:
            return "opted_out"
        if not self.sms_consent:
            return "no_consent"
        if settings.REQUIRE_CONSENT_TEXT and not self.consent_text.strip():
            return "no_consent_text"
        return None

    def is_contactable(self) -> bool:
        return self.contact_block_reason() is None

    def marketing_block_reason(self) -> str | None:
        """Why this borrower may not get marketing texts (nurture cadences), or None when they
        may: any contact block, or consent that covers only the conversation they started."""
        reason = self.contact_block_reason()
        if reason is None and self.consent_scope == ConsentScope.CONVERSATION:
            return "conversation_only"
        return reason

    def derive_temperature(self) -> str | None:
        """Hot: buying within 30 days and ready; cold: months away; warm in between."""
        if self.timeline is None:
            return None
        if self.timeline == Timeline.DAYS_0_30 and (self.preapproved or self.property_found):
            return Temperature.HOT
        if self.timeline == Timeline.MONTHS_6_PLUS:
            return Temperature.COLD
        return Temperature.WARM


class Inquiry(models.Model):
    """One submission (form, CRM push, import); a lead can have several."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="inquiries")
    # Indexed: the outbox sweeper looks every minute for recent inquiries never answered.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    source = models.CharField(max_length=16, choices=Source.choices)
    source_detail = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=100, blank=True)
    submitted_by = models.CharField(max_length=200, blank=True, help_text="API client or user")
    sms_consent = models.BooleanField("SMS consent", default=False)
    consent_text = models.TextField(blank=True)
    consent_at = models.DateTimeField(null=True, blank=True, help_text="When the borrower agreed")
    consent_scope = models.CharField(
        max_length=12, choices=ConsentScope.choices, default=ConsentScope.WRITTEN
    )
    consent_ip = models.GenericIPAddressField("consent IP address", null=True, blank=True)
    consent_user_agent = models.TextField(blank=True)
    consent_page_url = models.URLField("consent page URL", max_length=2000, blank=True)
    trustedform_cert_url = models.URLField("TrustedForm certificate URL", max_length=500, blank=True)
    jornaya_leadid = models.CharField("Jornaya LeadiD", max_length=100, blank=True)
    payload = models.JSONField(default=dict, help_text="The submission as received")

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "inquiries"

    def __str__(self):
        return f"{self.get_source_display()} inquiry {local(self.created_at)}"


class LeadEvent(models.Model):
    """The timeline and audit log: every status change, consent change, refusal, hand-off."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=40, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.CharField(max_length=200, blank=True, help_text="Who or what caused it")
    description = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.type} at {local(self.created_at, seconds=True)}"


class DoNotContactNumber(models.Model):
    """A number never to text, whoever it belongs to: the company's own list, a purchased
    litigator list, a number a borrower asked by phone never to be texted at."""

    phone = models.CharField(max_length=20, unique=True, help_text="E.164, e.g. +15125550100")
    reason = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=20, help_text="api, admin, csv, opt-out")
    added_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "do-not-contact number"

    def __str__(self):
        return self.phone


class IdempotencyRecord(models.Model):
    """The first response to a create request, replayed when the same key comes again."""

    client_key = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client_key", "key"], name="one_response_per_key")]

    def __str__(self):
        return f"{self.key} -> {self.response_status}"
