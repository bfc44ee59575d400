import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone


class CallStatus(models.TextChoices):
    QUEUED = "queued"
    RINGING = "ringing", "ringing the officer"
    IN_PROGRESS = "in_progress", "in progress"
    COMPLETED = "completed"
    NO_ANSWER = "no_answer", "no answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled", "not connected (the officer hung up or did not press 1)"


LIVE_CALL_STATUSES = (CallStatus.QUEUED, CallStatus.RINGING, CallStatus.IN_PROGRESS)


class Call(models.Model):
    """One call connect: the officer's mobile first, then the borrower from the shared number.
    Saved before Twilio is asked to dial, like a text in the outbox."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    lead = models.ForeignKey("leads.Lead", on_delete=models.CASCADE, related_name="calls")
    officer = models.ForeignKey("routing.LoanOfficer", on_delete=models.PROTECT, related_name="calls")
    status = models.CharField(
        max_length=12, choices=CallStatus.choices, default=CallStatus.QUEUED, db_index=True
    )
    officer_number = models.CharField(max_length=20)
    borrower_number = models.CharField(max_length=20)
    from_number = models.CharField(max_length=20, blank=True, help_text="The shared number")
    # One press of the Call button is one call, however often the form is sent.
    dedupe_key = models.CharField(max_length=100, unique=True, null=True, blank=True)
    officer_call_sid = models.CharField(max_length=64, unique=True, null=True, blank=True)
    borrower_call_sid = models.CharField(max_length=64, blank=True)
    recorded = models.BooleanField(default=False, help_text="Recording was on (and announced)")
    recording_url = models.URLField(blank=True)
    duration_seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Talk time with the borrower"
    )
    note = models.CharField(max_length=200, blank=True, help_text="How it ended, in words")
    error_code = models.CharField(max_length=20, blank=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    placed_at = models.DateTimeField(null=True, blank=True, help_text="Twilio was asked to dial")
    officer_answered_at = models.DateTimeField(null=True, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True, help_text="The officer pressed 1")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Two presses (two officers, two tabs) cannot ring the same borrower twice at once.
            models.UniqueConstraint(
                fields=["lead"], condition=Q(status__in=LIVE_CALL_STATUSES), name="one_live_call_per_lead"
            )
        ]

    def __str__(self):
        return f"Call {self.officer.name} -> {self.borrower_number} ({self.status})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_CALL_STATUSES
