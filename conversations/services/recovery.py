"""Work whose task never reached a worker, found again in the database.

django-q2's Redis broker acknowledges nothing: a task queued when Redis dies, or taken off the
queue by a cluster that is then killed, is gone. And a task is not queued at all when the
broker is down as its work is committed (mortgage_sms.jobs). Whatever must happen is
therefore recorded first, and this sweeper queues its task again: a borrower's text not yet
handled, a text handed to the assistant with no reply, an inquiry never answered with a first
text (queued texts themselves are the outbox sweeper's). Each task claims its row, so a second
one for work already done is a no-op."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from conversations.models import Direction, Kind, Message, TurnOutcome
from conversations.services.first_contact import NOT_GREETED_SUBMITTERS
from conversations.services.outbox import _enqueue
from leads.models import Inquiry, LeadEvent

logger = logging.getLogger(__name__)

LOST_WORK_LOOKBACK = timedelta(days=1)
LOST_WORK_BATCH = 500


def lost_work_requeue(*, now: datetime | None = None) -> dict:
    """Queue again (on the default lane) the work whose task was lost."""
    now = now or timezone.now()
    lost_before = now - timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    since = now - LOST_WORK_LOOKBACK
    texts = list(_texts_never_handled(lost_before, since)[:LOST_WORK_BATCH])
    for message_id in texts:
        _enqueue("conversations.tasks.handle_inbound", str(message_id), priority=False)
    replies = list(_texts_never_answered(now, since)[:LOST_WORK_BATCH])
    for message_id in replies:
        _enqueue("conversations.tasks.take_agent_turn", str(message_id), priority=False)
    greetings = list(_inquiries_never_answered(lost_before, since)[:LOST_WORK_BATCH])
    for lead_id, inquiry_id in greetings:
        _enqueue("conversations.tasks.send_first_contact", str(lead_id), inquiry_id, priority=False)
    return {
        "inbound_requeued": len(texts),
        "replies_requeued": len(replies),
        "first_contacts_requeued": len(greetings),
    }


def _texts_never_handled(lost_before: datetime, since: datetime):
    return (
        Message.objects.filter(
            direction=Direction.INBOUND,
            processed_at__isnull=True,
            created_at__lt=lost_before,
            created_at__gte=since,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def _texts_never_answered(now: datetime, since: datetime):
    """Texts handed to the assistant whose turn never started, or started and never finished
    (its worker was killed). A turn is tried again as django-q2's database broker would redeliver
    its task: once `retry` seconds have passed, and no more after three times that."""
    from conversations.services.turns import AGENT_STATUSES

    lost_before = now - timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    redeliver_after = timedelta(seconds=settings.Q_CLUSTER["retry"])
    never_started = Q(agent_turn__isnull=True, processed_at__lt=lost_before)
    interrupted = Q(
        agent_turn__outcome=TurnOutcome.STARTED,
        agent_turn__created_at__lt=now - redeliver_after,
        agent_turn__created_at__gte=now - 3 * redeliver_after,
    )
    return (
        Message.objects.filter(never_started | interrupted)
        .filter(
            direction=Direction.INBOUND,
            to_assistant=True,
            created_at__gte=since,
            lead__ai_paused=False,
            lead__status__in=AGENT_STATUSES,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)
    )


def _inquiries_never_answered(lost_before: datetime, since: datetime):
    """(lead id, inquiry id) of inquiries from a borrower we may text with no greeting decided
    yet: neither queued (its dedupe key) nor skipped nor refused (their timeline events). Someone
    who texted us first is answered by the conversation, not greeted."""
    greeting = Message.objects.filter(
        dedupe_key=Concat(Value("first_contact:"), Cast(OuterRef("pk"), output_field=CharField()))
    )
    decided = LeadEvent.objects.filter(
        Q(type="first_contact_skipped") | Q(type="sms_blocked", data__kind=Kind.FIRST_CONTACT),
        lead=OuterRef("lead"),
        created_at__gte=OuterRef("created_at"),
    )
    inquiries = Inquiry.objects.filter(
        created_at__lt=lost_before,
        created_at__gte=since,
        lead__sms_consent=True,
        lead__opted_out_at__isnull=True,
        lead__do_not_contact=False,
    ).exclude(submitted_by__in=NOT_GREETED_SUBMITTERS)
    if settings.REQUIRE_CONSENT_TEXT:
        inquiries = inquiries.exclude(lead__consent_text="")
    return (
        inquiries.exclude(Exists(greeting))
        .exclude(Exists(decided))
        .order_by("created_at")
        .values_list("lead_id", "pk")
    )
