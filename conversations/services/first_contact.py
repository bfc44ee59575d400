"""The first text after an inquiry: personal, at once, and never twice in a day."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from conversations import texts
from conversations.models import (
    Kind,
    Message,
    Sender,
)
from conversations.services.outbox import SendResult, _enqueue, send_sms
from experiments import services as experiment_services
from experiments.models import Target
from leads import services as lead_services
from leads.choices import LeadStatus
from leads.models import Lead
from mortgage_sms import rows

logger = logging.getLogger(__name__)

# --- First contact ----------------------------------------------------------------------------


# A borrower who texted first is answered by the conversation, not greeted as a form fill.
INBOUND_SMS_SUBMITTER = "inbound sms"
# Aged leads imported for re-engagement did not just ask: they get the nurture cadence's
# texts, inside the contact window, instead of an at-any-hour greeting.
REENGAGEMENT_SUBMITTER = "re-engagement import"
NOT_GREETED_SUBMITTERS = (INBOUND_SMS_SUBMITTER, REENGAGEMENT_SUBMITTER)


def first_contact_schedule(*, lead: Lead, inquiry) -> None:
    if lead.is_contactable() and inquiry.submitted_by not in NOT_GREETED_SUBMITTERS:
        _enqueue("conversations.tasks.send_first_contact", str(lead.pk), inquiry.pk)


REPEAT_GREETING_STATUSES = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.NURTURING,
    LeadStatus.UNRESPONSIVE,
)


def first_contact_send(*, lead_id, inquiry_id: int, queue_delivery: bool = True) -> SendResult | None:
    """Greet the borrower; a repeat inquiry is greeted only after a quiet day.

    Decided with the lead locked: of several inquiries racing in (a double-submitted form, an
    aggregator re-posting), the first greets and the others find its greeting. The lead moves
    to `contacted` in the same transaction, so a greeting never exists for a lead left `new`.
    queue_delivery=False: the caller delivers the text itself (send_sms)."""
    with transaction.atomic():
        lead = _locked_lead(lead_id)
        dedupe_key = f"first_contact:{inquiry_id}"
        # (id, dedupe key, created at) of the greetings so far, newest first: the whole rows
        # cost more to ask for, and are needed only by a second run of this task.
        greetings = rows.values(
            Message,
            ["pk", "dedupe_key", "created_at"],
            suffix="ORDER BY created_at DESC",
            lead=lead.pk,
            kind=Kind.FIRST_CONTACT,
        )
        already_queued = next((pk for pk, key, _ in greetings if key == dedupe_key), None)
        # A second run of this task finds its text and decides nothing again.
        result = (
            SendResult(message=Message.objects.get(pk=already_queued))
            if already_queued
            else _greet(lead, inquiry_id, dedupe_key, greetings[0][2] if greetings else None, queue_delivery)
        )
        if result and result.queued and lead.status == LeadStatus.NEW:
            lead_services.lead_set_status(
                lead=lead, status=LeadStatus.CONTACTED, actor="system", lead_locked=True
            )
    return result


def _locked_lead(lead_id) -> Lead:
    """The whole lead, FOR UPDATE where the database has row locks (SQL built once: rows)."""
    lock = "FOR UPDATE" if connection.features.has_select_for_update else ""
    lead = rows.get(Lead, suffix=lock, pk=lead_id)
    if lead is None:
        raise Lead.DoesNotExist(f"No lead {lead_id}")
    return lead


def _greet(
    lead: Lead, inquiry_id: int, dedupe_key: str, last_greeting_at: datetime | None, queue_delivery: bool
) -> SendResult | None:
    # A repeat inquiry goes on only when it may be greeted again; a new lead may always be.
    if not _greet_again(lead, last_greeting_at) and _repeat(lead):
        lead_services.lead_event_record(
            lead=lead,
            type="first_contact_skipped",
            description="Repeat inquiry: the borrower was texted recently or is with an officer.",
            data={"inquiry_id": inquiry_id},
        )
        return None
    # "here again" only to someone we greeted: a first inquiry without consent was not.
    again = last_greeting_at is not None
    variant = None if again else experiment_services.variant_for(lead=lead, target=Target.FIRST_TEXT)
    result = send_sms(
        lead=lead,
        body=texts.first_contact_text(
            lead, again=again, template=variant.template_for(lead.language) if variant else ""
        ),
        kind=Kind.FIRST_CONTACT,
        sender=Sender.AGENT,
        dedupe_key=dedupe_key,
        lead_locked=True,
        queue_delivery=queue_delivery,
    )
    if variant and result.queued:
        experiment_services.assignment_record_text(lead=lead, variant=variant, message_id=result.message.pk)
    return result


def _repeat(lead: Lead) -> bool:
    return lead.first_contact_at is not None or lead.inquiries.count() > 1


def _greet_again(lead: Lead, last_greeting_at: datetime | None) -> bool:
    if lead.status not in REPEAT_GREETING_STATUSES:
        return False
    quiet_after = timedelta(hours=settings.FIRST_CONTACT_REPEAT_AFTER_HOURS)
    return last_greeting_at is None or last_greeting_at < timezone.now() - quiet_after
