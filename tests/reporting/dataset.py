"""A hand-built week of leads whose report is known, worked out by hand in the docstrings.

Week of Monday 2026-03-02 to Sunday 2026-03-08, America/Chicago (the report's time zone):

| lead | source / campaign | state | created | first text | replied after | furthest | officer |
| Ann  | web / Spring promo | TX | Mon 10:00 | first_contact +2 s | 30 min | won | Jane |
| Bob  | web / Spring promo | TX | Mon 23:00 | first_contact +4 s | 5 h | claimed, lost | Marcus |
| Cara | paid / Google Ads | OK (es) | Sat 12:00 | first_contact +10 s | 3.5 days | qualified | - |
| Dan  | paid / Google Ads | TX | Tue 09:00 | first_contact +1 s (undelivered 30007) | - | opted out | - |
| Eve  | referral | TX | Wed 14:00 | never (no consent) | - | new | - |
| Old  | web | TX | Feb 20 | outside the range |
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from conversations.models import Direction, Kind, Sender
from leads.models import LeadEvent
from routing.models import Offer, RequestStatus, RoutingRequest
from tests.factories import CadenceStepFactory, LeadFactory, LoanOfficerFactory, MessageFactory, UserFactory

CHICAGO = ZoneInfo("America/Chicago")
SINCE, UNTIL = "2026-03-02", "2026-03-08"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=CHICAGO)


def at(day: int, hour: int, minute: int = 0, *, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=CHICAGO)


def text(lead, when, *, kind=Kind.FIRST_CONTACT, sender=Sender.AGENT, body="Hi there", **fields):
    return MessageFactory(
        lead=lead, kind=kind, sender=sender, body=body, created_at=when, sent_at=when, **fields
    )


def reply(lead, when, body="yes"):
    return MessageFactory(
        lead=lead,
        direction=Direction.INBOUND,
        kind=Kind.INBOUND,
        sender=Sender.BORROWER,
        status="received",
        body=body,
        created_at=when,
    )


def status(lead, when, *statuses):
    for old, new in zip(["contacted", *statuses], statuses, strict=False):
        LeadEvent.objects.create(
            lead=lead, type="status_changed", created_at=when, data={"from": old, "to": new}
        )


def offer(lead, officer, made, decided, outcome):
    request = RoutingRequest.objects.create(lead=lead, reason="qualified", status=RequestStatus.CLAIMED)
    Offer.objects.create(
        request=request,
        lead=lead,
        officer=officer,
        strategy="round_robin",
        created_at=made,
        expires_at=made + timedelta(minutes=5),
        decided_at=decided,
        status=outcome,
    )


def build_week():
    """The leads above, with their texts, events and offers. Returns them by name."""
    jane = LoanOfficerFactory(name="Jane Doe", user=UserFactory(username="jane"))
    marcus = LoanOfficerFactory(name="Marcus Reed", user=UserFactory(username="marcus"))
    first_step = CadenceStepFactory(position=1, cadence__name="Not ready yet")
    second_step = CadenceStepFactory(position=2, cadence=first_step.cadence)
    leads = {
        "ann": _ann(jane),
        "bob": _bob(jane, marcus),
        "cara": _cara(first_step, second_step),
        "dan": _dan(),
        "eve": LeadFactory(first_name="Eve", source="referral", sms_consent=False, created_at=at(4, 14)),
        "old": LeadFactory(first_name="Old", created_at=at(20, 9, month=2)),
    }
    text(leads["old"], at(20, 9, month=2) + timedelta(seconds=1))
    return {**leads, "jane": jane, "marcus": marcus, "first_step": first_step, "second_step": second_step}


def _ann(jane):
    created = at(2, 10)
    ann = LeadFactory(
        first_name="Ann",
        source="web",
        source_detail="Spring promo",
        property_state="TX",
        created_at=created,
        status="closed_won",
        assigned_officer=jane,
    )
    text(ann, created + timedelta(seconds=2))
    reply(ann, created + timedelta(minutes=30))
    status(ann, created + timedelta(minutes=40), "qualifying", "qualified")
    status(ann, created + timedelta(minutes=41), "offered")
    offer(ann, jane, created + timedelta(minutes=41), created + timedelta(minutes=45), "claimed")
    LeadEvent.objects.create(
        lead=ann,
        type="status_changed",
        created_at=created + timedelta(minutes=45),
        data={"from": "offered", "to": "claimed"},
    )
    # The officer's first own text, 10 minutes after the claim; a curly apostrophe: 2 segments.
    text(
        ann,
        created + timedelta(minutes=55),
        kind=Kind.REPLY,
        sender=Sender.OFFICER,
        officer=jane,
        body="Hi Ann, it\u2019s Jane. " + "x" * 60,
    )
    status(ann, created + timedelta(days=1), "closed_won")
    return ann


def _bob(jane, marcus):
    created = at(2, 23)
    bob = LeadFactory(
        first_name="Bob",
        source="web",
        source_detail="Spring promo",
        property_state="TX",
        created_at=created,
        status="closed_lost",
        assigned_officer=marcus,
    )
    text(bob, created + timedelta(seconds=4))
    reply(bob, created + timedelta(hours=5))
    LeadEvent.objects.create(lead=bob, type="handoff", created_at=created + timedelta(hours=5))
    status(bob, created + timedelta(hours=5), "qualifying", "qualified", "offered")
    offer(bob, jane, created + timedelta(hours=5), created + timedelta(hours=5, minutes=5), "expired")
    offer(
        bob,
        marcus,
        created + timedelta(hours=5, minutes=5),
        created + timedelta(hours=5, minutes=7),
        "claimed",
    )
    status(bob, created + timedelta(hours=5, minutes=7), "claimed")
    status(bob, created + timedelta(days=2), "closed_lost")
    return bob


def _cara(first_step, second_step):
    created = at(7, 12)
    cara = LeadFactory(
        first_name="Cara",
        source="paid",
        source_detail="Google Ads",
        state="TX",
        property_state="OK",
        language="es",
        created_at=created,
        status="qualified",
    )
    text(cara, created + timedelta(seconds=10))
    text(
        cara,
        created + timedelta(days=1),
        kind=Kind.NURTURE,
        sender=Sender.NURTURE,
        dedupe_key=f"nurture:1:{first_step.pk}",
    )
    text(
        cara,
        created + timedelta(days=3),
        kind=Kind.NURTURE,
        sender=Sender.NURTURE,
        dedupe_key=f"nurture:1:{second_step.pk}",
    )
    reply(cara, created + timedelta(days=3, hours=12))
    LeadEvent.objects.create(
        lead=cara, type="agent_fallback", created_at=created + timedelta(days=3, hours=12)
    )
    status(cara, created + timedelta(days=4), "qualifying", "qualified")
    RoutingRequest.objects.create(
        lead=cara, reason="qualified", status=RequestStatus.WAITING, created_at=NOW - timedelta(minutes=30)
    )
    return cara


def _dan():
    created = at(3, 9)
    dan = LeadFactory(
        first_name="Dan",
        source="paid",
        source_detail="Google Ads",
        created_at=created,
        status="opted_out",
        opted_out_at=created + timedelta(minutes=2),
    )
    text(dan, created + timedelta(seconds=1), status="undelivered", error_code="30007")
    LeadEvent.objects.create(lead=dan, type="opted_out", created_at=created + timedelta(minutes=2))
    return dan
