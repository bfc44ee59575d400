import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone

from mortgage_sms.timefmt import local


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked"
    CANCELLED = "cancelled"


class Appointment(models.Model):
    """A call booked with an officer at a set time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="appointments")
    officer = models.ForeignKey("routing.LoanOfficer", on_delete=models.PROTECT, related_name="appointments")
    starts_at = models.DateTimeField(db_index=True)
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED, db_index=True
    )
    # The iCalendar SEQUENCE: each move or cancellation updates the officer's invite in place.
    sequence = models.PositiveIntegerField(default=0)
    booked_by = models.CharField(max_length=100, blank=True, help_text="borrower (by text) or the officer")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_day_at = models.DateTimeField(null=True, blank=True)
    reminded_hour_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            # Two borrowers answering "2" at once cannot both get the officer's 3 o'clock.
            models.UniqueConstraint(
                fields=["officer", "starts_at"],
                condition=Q(status=AppointmentStatus.BOOKED),
                name="one_booking_per_officer_slot",
            )
        ]

    def __str__(self):
        return f"{self.lead} with {self.officer.name} at {local(self.starts_at)} ({self.status})"


class OfferStatus(models.TextChoices):
    OPEN = "open"
    ANSWERED = "answered"
    WITHDRAWN = "withdrawn"


class SlotOffer(models.Model):
    """Up to three times offered to a borrower by text; their answer books one of them."""

    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="slot_offers")
    # [{"starts_at": ISO 8601, "officer_id": n}], in the order the borrower read them.
    slots = models.JSONField(default=list)
    appointment = models.ForeignKey(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Set when the offer moves an existing appointment",
    )
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.OPEN, db_index=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status="open"), name="one_open_slot_offer_per_lead"
            )
        ]

    def __str__(self):
        return f"Times offered to {self.lead_id} ({self.status})"
