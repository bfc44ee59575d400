"""A large, plausible history for the report's benchmark: leads with their texts, timeline
events and offers, written in bulk (no tasks, no signals). Phone numbers are fictional
(555 exchange); the data is made from a seed, so two runs make the same set."""

import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from conversations.models import Direction, Kind, Message, MessageStatus, Sender
from leads.models import Lead, LeadEvent
from nurture.models import CadenceStep
from routing.models import LoanOfficer, Offer, OfferStatus, RequestStatus, RoutingRequest

SOURCES = [("web", 45), ("paid", 30), ("referral", 10), ("organic", 8), ("crm", 5), ("other", 2)]
CAMPAIGNS = {
    "paid": ["Google Ads: purchase", "Google Ads: refinance", "Facebook: first-time buyers", "Zillow"],
    "web": ["Rate quote form", "Contact form", "Pre-approval form"],
}
STATES = [("TX", 40), ("OK", 10), ("FL", 20), ("CA", 15), ("AZ", 10), ("NM", 5)]
FLUSH_EVERY = 20_000


@dataclass
class Batch:
    leads: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    events: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    offers: list = field(default_factory=list)

    def flush(self) -> None:
        with transaction.atomic():
            Lead.objects.bulk_create(self.leads, batch_size=2000)
            Message.objects.bulk_create(self.messages, batch_size=5000)
            LeadEvent.objects.bulk_create(self.events, batch_size=5000)
            RoutingRequest.objects.bulk_create(self.requests, batch_size=2000)
            for offer in self.offers:
                offer.request_id = offer.request.pk
            Offer.objects.bulk_create(self.offers, batch_size=2000)
        self.__init__()


class Story:
    """One lead's history, drawn at random, as model instances."""

    def __init__(self, rng: random.Random, index: int, created: datetime, context: dict):
        self.rng, self.context, self.batch = rng, context, context["batch"]
        self.status, self.budget = "new", context["texts_per_lead"]()
        self.lead = self._lead(index, created)

    def _lead(self, index: int, created: datetime) -> Lead:
        rng = self.rng
        source = _weighted(rng, SOURCES)
        lead = Lead(
            id=uuid.UUID(int=rng.getrandbits(128)),
            first_name=rng.choice(["Ana", "Ben", "Carla", "Dev", "Elena", "Farid", "Grace", "Hugo"]),
            last_name="Sample",
            phone=f"+1{210 + index // 10000:03d}555{index % 10000:04d}",
            source=source,
            source_detail=rng.choice(CAMPAIGNS.get(source, [""])),
            state=_weighted(rng, STATES),
            language="es" if rng.random() < 0.15 else "en",
            sms_consent=rng.random() < 0.96,
            created_at=created,
        )
        lead.property_state = lead.state if rng.random() < 0.7 else None
        self.batch.leads.append(lead)
        self.batch.events.append(LeadEvent(lead=lead, type="lead_created", created_at=created))
        return lead

    def text(self, at: datetime, *, kind=Kind.REPLY, sender=Sender.AGENT, inbound=False, **extra) -> None:
        self.budget -= 1
        self.context["written"] += 1
        body = extra.pop(
            "body", "Thanks! When are you hoping to move forward: within 30 days, 1-3 months, or later?"
        )
        self.batch.messages.append(
            Message(
                lead=self.lead,
                direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
                sender=Sender.BORROWER if inbound else sender,
                kind=Kind.INBOUND if inbound else kind,
                to_number="+15125550000" if inbound else self.lead.phone,
                body="Sounds good, 1-3 months" if inbound else body,
                status=MessageStatus.RECEIVED if inbound else extra.pop("status", MessageStatus.DELIVERED),
                created_at=at,
                sent_at=None if inbound else at,
                **extra,
            )
        )

    def event(self, type_: str, at: datetime, **data) -> None:
        self.batch.events.append(LeadEvent(lead=self.lead, type=type_, created_at=at, data=data))

    def move(self, status: str, at: datetime) -> None:
        self.event("status_changed", at, **{"from": self.status, "to": status})
        self.status = status

    def play(self) -> None:
        lead, rng = self.lead, self.rng
        if not lead.sms_consent:
            return self.finish()
        greeted = lead.created_at + timedelta(seconds=rng.lognormvariate(0.3, 0.5))
        failed = rng.random() < 0.02
        self.text(
            greeted,
            kind=Kind.FIRST_CONTACT,
            status="undelivered" if failed else "delivered",
            error_code=rng.choice(["30003", "30005", "30006", "30007"]) if failed else "",
        )
        self.move("contacted", greeted)
        lead.first_contact_at = greeted
        replied = None if failed or rng.random() > 0.55 else greeted + _reply_delay(rng)
        self._nurture(greeted, replied)
        if replied and replied < self.context["now"] and self.status != "opted_out":
            self._conversation(replied)
        return self.finish()

    def _nurture(self, start: datetime, replied: datetime | None) -> None:
        for step, delay in self.context["no_reply_steps"]:
            at = start + delay
            if (replied and at >= replied) or at > self.context["now"] or self.budget <= 2:
                return
            self.text(
                at,
                kind=Kind.NURTURE,
                sender=Sender.NURTURE,
                # The phone (unique here) stands in for the enrollment's id.
                dedupe_key=f"nurture:{self.lead.phone[2:]}:{step}",
            )
            if self.rng.random() < 0.01:
                return self._opt_out(at + timedelta(minutes=3))

    def _opt_out(self, at: datetime) -> None:
        self.lead.opted_out_at = at
        self.event("opted_out", at, words="STOP")
        self.status = "opted_out"

    def _conversation(self, at: datetime) -> None:
        rng = self.rng
        self.move("qualifying", at)
        while self.budget > 3 and rng.random() < 0.8:
            self.text(at, inbound=True)
            self.lead.last_inbound_at = at
            at += timedelta(seconds=rng.uniform(2, 8))
            self.text(at)
            at += timedelta(minutes=rng.uniform(1, 240))
        if rng.random() < 0.03:
            self.event("agent_fallback", at, reason="timeout")
        if rng.random() < 0.5:
            if rng.random() < 0.1:
                self.event("handoff", at)
            self.move("qualified", at)
            self._route(at)
        else:
            self.move("nurturing", at)

    def _route(self, at: datetime) -> None:
        rng, officers = self.rng, self.context["officers"]
        request = RoutingRequest(lead=self.lead, reason="the lead is qualified", created_at=at)
        self.batch.requests.append(request)
        if rng.random() < 0.05:
            request.status = RequestStatus.WAITING
            return
        self.move("offered", at)
        officer = rng.choice(officers)
        if rng.random() < 0.2:  # the first officer lets it expire
            self._offer(request, officer, at, at + timedelta(minutes=5), OfferStatus.EXPIRED)
            at += timedelta(minutes=5)
            officer = rng.choice([o for o in officers if o != officer])
        claimed = at + timedelta(seconds=rng.uniform(15, 280))
        self._offer(request, officer, at, claimed, OfferStatus.CLAIMED)
        request.status, request.claimed_by = RequestStatus.CLAIMED, officer
        self.lead.assigned_officer = officer
        self.move("claimed", claimed)
        self.text(claimed, kind=Kind.INTRODUCTION, sender=Sender.OFFICER, officer=officer)
        self.text(claimed + timedelta(minutes=rng.uniform(1, 90)), sender=Sender.OFFICER, officer=officer)
        ending = rng.random()
        if ending < 0.3:
            self.move("closed_won", claimed + timedelta(days=rng.uniform(10, 40)))
        elif ending < 0.7:
            self.move("closed_lost", claimed + timedelta(days=rng.uniform(3, 30)))

    def _offer(self, request, officer, made, decided, status) -> None:
        self.batch.offers.append(
            Offer(
                request=request,
                lead=self.lead,
                officer=officer,
                strategy="round_robin",
                status=status,
                created_at=made,
                expires_at=made + timedelta(minutes=5),
                decided_at=decided,
            )
        )

    def finish(self) -> None:
        lead = self.lead
        while self.budget > 0 and self.status != "opted_out" and lead.sms_consent:
            # Monthly touches of the not-ready cadence, or more conversation: the rest of the budget.
            self.text(
                lead.created_at + timedelta(days=self.rng.uniform(1, 30)),
                kind=Kind.NURTURE,
                sender=Sender.NURTURE,
            )
        lead.status = self.status


def _weighted(rng: random.Random, choices: list[tuple[str, int]]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _reply_delay(rng: random.Random) -> timedelta:
    bucket = rng.random()
    if bucket < 0.45:
        return timedelta(minutes=rng.uniform(0.5, 60))
    if bucket < 0.75:
        return timedelta(hours=rng.uniform(1, 24))
    if bucket < 0.95:
        return timedelta(days=rng.uniform(1, 7))
    return timedelta(days=rng.uniform(7, 20))


def _created_at(rng: random.Random, now: datetime, days: int) -> datetime:
    """More inquiries in the evening and on weekends, as lead forms see."""
    while True:
        moment = now - timedelta(seconds=rng.uniform(0, days * 86400))
        hour = timezone.localtime(moment).hour
        if rng.random() < (0.35 if hour < 7 else 1.0 if 18 <= hour <= 22 else 0.7):
            return moment


def _officers(count: int) -> list[LoanOfficer]:
    User = get_user_model()
    officers = []
    for n in range(count):
        user, _ = User.objects.get_or_create(username=f"bench-officer-{n}")
        officer, _ = LoanOfficer.objects.get_or_create(
            user=user,
            defaults={"name": f"Officer {n:02d}", "nmls_id": f"{900000 + n}", "licensed_states": ["TX"]},
        )
        officers.append(officer)
    return officers


def generate(*, leads: int, messages: int, days: int, seed: int, log) -> None:
    rng, now = random.Random(seed), timezone.now()
    steps = CadenceStep.objects.filter(cadence__slug="no_reply_yet").order_by("position")
    delays = [timedelta(minutes=10), timedelta(days=1), timedelta(days=3), timedelta(days=7)]
    context = {
        "batch": Batch(),
        "now": now,
        "officers": _officers(20),
        "no_reply_steps": list(zip([s.pk for s in steps], delays, strict=False)),
        "texts_per_lead": lambda: max(1, round(rng.gauss(average, average / 3))),
        "written": 0,
    }
    for index in range(leads):
        # Leads without consent or who opt out take fewer texts: the others make up for them.
        average = (messages - context["written"]) / (leads - index)
        Story(rng, index, _created_at(rng, now, days), context).play()
        if len(context["batch"].messages) >= FLUSH_EVERY:
            context["batch"].flush()
            log(f"{index + 1} leads written")
    context["batch"].flush()
