"""Computing each lead's facts from the records the product keeps: the lead, its messages and
its timeline events. Nothing here is counted as it happens: the records stay the truth, and a
fact row is recomputed from them whenever the lead has changed since it was made."""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from conversations.models import Direction, Kind, Message, Sender
from conversations.template_check import segments as sms_segments
from leads.models import Lead, LeadEvent
from reporting.models import FactsWatermark, LeadFact, NurtureSendFact

BATCH_SIZE = 1000
# A change is committed a little after its updated_at is set: the watermark stays this far
# behind the catch-up that set it, longer than any transaction that writes a lead.
COMMIT_MARGIN = timedelta(minutes=5)
# The dispatcher's dedupe key: "nurture:<enrollment>:<step>" (":<repeat>" for repeats).
NURTURE_KEY = re.compile(r"^nurture:\d+:(\d+)")
STATUS_STAGE = {"qualified": 1, "offered": 2, "claimed": 3, "closed_won": 4}
# Speed to lead is about answering someone who just asked: a greeting, or a reply to a
# borrower who texted first. An aged lead imported for re-engagement gets a nurture text
# inside the contact window on purpose, which would only blur the figure.
SPEED_KINDS = (Kind.FIRST_CONTACT, Kind.REPLY)
KIND_COLUMNS = {
    Kind.FIRST_CONTACT: "texts_first_contact",
    Kind.REPLY: "texts_reply",
    Kind.NURTURE: "texts_nurture",
    Kind.INTRODUCTION: "texts_introduction",
    Kind.COMPLIANCE: "texts_compliance",
}
NURTURE_WINDOW = timedelta(hours=48)
# A catch-up this large (an import, a first run) changes the fact tables enough that the
# planner's statistics lie until autovacuum comes by, if it is on at all: without them a year
# of facts looked like a few rows and the report's queries took the slow plans.
ANALYZE_AFTER = 10_000
EVENT_TYPES = ("status_changed", "opted_out", "handoff", "agent_fallback")
LEAD_FIELDS = (
    "pk", "updated_at", "created_at", "source", "source_detail", "property_state", "state",
    "assigned_officer_id", "language", "status", "opted_out_at",
)  # fmt: skip


@dataclass(frozen=True)
class Text:
    direction: str
    sender: str
    kind: str
    created_at: datetime
    sent_at: datetime | None
    body: str
    dedupe_key: str | None
    pk: object


@dataclass(frozen=True)
class Event:
    type: str
    created_at: datetime
    data: dict


def stale_leads(leads: QuerySet[Lead]) -> QuerySet[Lead]:
    """The leads whose facts are missing or older than the lead's last change."""
    watermark = FactsWatermark.objects.order_by("-fresh_before").first()
    if watermark is not None:
        # Only a lead changed since then can be stale: the `updated_at` index finds those.
        leads = leads.filter(updated_at__gte=watermark.fresh_before)
    return leads.filter(Q(fact__isnull=True) | Q(fact__lead_updated_at__lt=F("updated_at")))


def facts_refresh_stale(leads: QuerySet[Lead]) -> int:
    ids = list(stale_leads(leads).values_list("pk", flat=True))
    facts_refresh(ids)
    return len(ids)


def facts_catch_up(*, limit: int) -> int:
    """Refresh up to `limit` stale leads, newest change first; once none is left behind, move
    the watermark up so the report only checks what changed since."""
    started = timezone.now()
    stale = stale_leads(Lead.objects.all()).order_by("-updated_at").values_list("pk", flat=True)
    ids = list(stale[:limit])
    facts_refresh(ids)
    if len(ids) >= ANALYZE_AFTER:
        _analyze_facts()
    if len(ids) < limit:
        FactsWatermark.objects.update_or_create(pk=1, defaults={"fresh_before": started - COMMIT_MARGIN})
    return len(ids)


def _analyze_facts() -> None:
    with connection.cursor() as cursor:
        for model in (LeadFact, NurtureSendFact):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def facts_refresh(lead_ids) -> None:
    lead_ids = list(lead_ids)
    for start in range(0, len(lead_ids), BATCH_SIZE):
        _refresh_batch(lead_ids[start : start + BATCH_SIZE])


def _refresh_batch(ids: list) -> None:
    # The lead is read first: a change made while we count leaves the fact stale, not wrong.
    leads = list(Lead.objects.filter(pk__in=ids).values(*LEAD_FIELDS))
    texts, events = _texts_by_lead(ids), _events_by_lead(ids)
    facts, sends = [], []
    for lead in leads:
        fact, lead_sends = lead_facts(lead, texts[lead["pk"]], events.get(lead["pk"], []))
        facts.append(fact)
        sends += lead_sends
    columns = [f.name for f in LeadFact._meta.concrete_fields if f.name != "lead"]
    with transaction.atomic():
        LeadFact.objects.bulk_create(
            facts, update_conflicts=True, unique_fields=["lead"], update_fields=columns
        )
        NurtureSendFact.objects.bulk_create(
            sends,
            update_conflicts=True,
            unique_fields=["message"],
            update_fields=[f.name for f in NurtureSendFact._meta.concrete_fields if f.name != "message"],
        )


def _texts_by_lead(ids) -> dict[object, list[Text]]:
    # No ORDER BY: sorted here, so the planner reads the lead index instead of walking the
    # whole table in created_at order.
    rows = (
        Message.objects.filter(lead_id__in=ids)
        .filter(Q(direction=Direction.INBOUND) | Q(sent_at__isnull=False))
        .order_by()
        .values_list(
            "lead_id", "direction", "sender", "kind", "created_at", "sent_at", "body", "dedupe_key", "pk"
        )
    )
    grouped = defaultdict(list)
    for lead_id, *fields in rows:
        grouped[lead_id].append(Text(*fields))
    for texts in grouped.values():
        texts.sort(key=lambda t: t.created_at)
    return grouped


def _events_by_lead(ids) -> dict[object, list[Event]]:
    rows = (
        LeadEvent.objects.filter(lead_id__in=ids, type__in=EVENT_TYPES)
        .order_by()
        .values_list("lead_id", "type", "created_at", "id", "data")
    )
    grouped = defaultdict(list)
    for lead_id, type_, created_at, pk, data in rows:
        grouped[lead_id].append((created_at, pk, Event(type_, created_at, data)))
    return {lead_id: [e for *_, e in sorted(events)] for lead_id, events in grouped.items()}


def lead_facts(lead: dict, texts: list[Text], events: list[Event]) -> tuple[LeadFact, list[NurtureSendFact]]:
    """One lead's facts (and its nurture texts' outcomes) from its records."""
    sent = sorted((t for t in texts if t.direction == Direction.OUTBOUND), key=lambda t: t.sent_at)
    inbound = [t.created_at for t in texts if t.direction == Direction.INBOUND]
    stage_times = _stage_times(events)
    opted_out_at = _opted_out_at(lead, events)
    fact = LeadFact(
        lead_id=lead["pk"],
        lead_updated_at=lead["updated_at"],
        **dimensions(lead),
        status=lead["status"],
        stage=max([STATUS_STAGE.get(lead["status"], 0), *(STATUS_STAGE.get(s, 0) for s in stage_times)]),
        qualified_at=stage_times.get("qualified"),
        claimed_at=stage_times.get("claimed"),
        lost=lead["status"] == "closed_lost" or "closed_lost" in stage_times,
        opted_out=opted_out_at is not None,
        opt_out_after_kind=_kind_before(sent, opted_out_at),
        segments=sum(sms_segments(t.body).segments for t in sent),
        fallbacks=sum(e.type == "agent_fallback" for e in events),
        handoffs=sum(e.type == "handoff" for e in events),
    )
    _set_first_text(fact, lead, sent, inbound)
    fact.officer_reply_seconds = _officer_reply_seconds(sent, fact.claimed_at)
    for text in sent:
        column = KIND_COLUMNS.get(text.kind)
        if column:
            setattr(fact, column, getattr(fact, column) + 1)
    return fact, _nurture_sends(lead, sent, inbound, opted_out_at, fact.qualified_at)


def dimensions(lead: dict) -> dict:
    return {
        "created_at": lead["created_at"],
        "source": lead["source"],
        "source_detail": lead["source_detail"],
        "state": lead["property_state"] or lead["state"] or "",
        "officer_id": lead["assigned_officer_id"],
        "language": lead["language"],
    }


def _stage_times(events: list[Event]) -> dict[str, datetime]:
    """When the lead first became each status (events are oldest first)."""
    times = {}
    for event in events:
        if event.type == "status_changed":
            times.setdefault(event.data.get("to"), event.created_at)
    return {status: at for status, at in times.items() if status in (*STATUS_STAGE, "closed_lost")}


def _opted_out_at(lead: dict, events: list[Event]) -> datetime | None:
    first = next((e.created_at for e in events if e.type == "opted_out"), None)
    return first or lead["opted_out_at"]


def _kind_before(sent: list[Text], moment: datetime | None) -> str:
    if moment is None:
        return ""
    before = [t for t in sent if t.sent_at <= moment]
    return before[-1].kind if before else ""


def _seconds(start: datetime, end: datetime) -> float:
    return max(0.0, (end - start).total_seconds())


def _set_first_text(fact: LeadFact, lead: dict, sent: list[Text], inbound: list[datetime]) -> None:
    if not sent:
        return
    first = sent[0]
    fact.first_text_at = first.sent_at
    if first.kind in SPEED_KINDS:
        fact.speed_seconds = _seconds(lead["created_at"], first.sent_at)
    if inbound:
        # A borrower who texted before our first text has replied at once.
        fact.reply_seconds = _seconds(first.sent_at, min(inbound))


def _officer_reply_seconds(sent: list[Text], claimed_at: datetime | None) -> float | None:
    if claimed_at is None:
        return None
    officer_texts = [
        t.created_at
        for t in sent
        if t.sender == Sender.OFFICER and t.kind == Kind.REPLY and t.created_at >= claimed_at
    ]
    return _seconds(claimed_at, min(officer_texts)) if officer_texts else None


def _nurture_sends(lead, sent, inbound, opted_out_at, qualified_at) -> list[NurtureSendFact]:
    sends = []
    for text in sent:
        match = NURTURE_KEY.match(text.dedupe_key or "") if text.kind == Kind.NURTURE else None
        if not match:
            continue
        until = text.sent_at + NURTURE_WINDOW
        replied = any(text.sent_at < at <= until for at in inbound)
        sends.append(
            NurtureSendFact(
                message_id=text.pk,
                lead_id=lead["pk"],
                **dimensions(lead),
                step_id=int(match.group(1)),
                sent_at=text.sent_at,
                replied_48h=replied,
                opted_out_48h=opted_out_at is not None and text.sent_at < opted_out_at <= until,
                revived=replied and qualified_at is not None and qualified_at > text.sent_at,
            )
        )
    return sends
