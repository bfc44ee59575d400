"""Work whose task never reached the broker: a STOP unhandled, a borrower never greeted."""

import logging
from datetime import datetime, timedelta

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from conversations.models import (
    Direction,
    Kind,
    Message,
)
from conversations.services.first_contact import INBOUND_SMS_SUBMITTER
from conversations.services.outbox import _enqueue
from leads.choices import LeadStatus
from leads.models import Inquiry, Lead

logger = logging.getLogger(__name__)

LOST_WORK_LOOKBACK = timedelta(days=1)
LOST_WORK_BATCH = 500


def lost_work_requeue(*, now: datetime | None = None) -> dict:
    """Queue again the work whose task never reached the broker: a borrower's text (it may be
    a STOP) and a new lead's first text. Each task claims its row, so a duplicate is a no-op."""
    now = now or timezone.now()
    lost_before, since = now - timedelta(minutes=1), now - LOST_WORK_LOOKBACK
    texts = Message.objects.filter(
        direction=Direction.INBOUND,
        processed_at__isnull=True,
        created_at__lt=lost_before,
        created_at__gte=since,
    ).order_by("created_at")
    text_ids = list(texts.values_list("pk", flat=True)[:LOST_WORK_BATCH])
    for message_id in text_ids:
        _enqueue("conversations.tasks.handle_inbound", str(message_id))
    greetings = list(_leads_never_greeted(lost_before, since)[:LOST_WORK_BATCH])
    for lead_id, inquiry_id in greetings:
        _enqueue("conversations.tasks.send_first_contact", str(lead_id), inquiry_id)
    return {"inbound_requeued": len(text_ids), "first_contacts_requeued": len(greetings)}


def _leads_never_greeted(lost_before: datetime, since: datetime):
    """(lead id, inquiry id) of contactable new leads from a form with no first text yet.
    Someone who texted us first is answered by the conversation, not greeted."""
    latest_form = (
        Inquiry.objects.filter(lead=OuterRef("pk"))
        .exclude(submitted_by=INBOUND_SMS_SUBMITTER)
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    return (
        Lead.objects.filter(
            status=LeadStatus.NEW,
            sms_consent=True,
            opted_out_at__isnull=True,
            do_not_contact=False,
            created_at__lt=lost_before,
            created_at__gte=since,
        )
        .exclude(messages__kind=Kind.FIRST_CONTACT)
        .annotate(inquiry_id=Subquery(latest_form))
        .filter(inquiry_id__isnull=False)
        .order_by("created_at")
        .values_list("pk", "inquiry_id")
    )
