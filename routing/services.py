"""Routing: finding an officer for a lead, offers and claims, and what officers do with a lead."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations.models import Kind, Sender
from conversations.services import SendResult, send_sms
from leads import services as lead_services
from leads.choices import US_STATES, LeadStatus, LoanType
from leads.models import Lead
from leads.phones import normalize_phone
from mortgage_sms import jobs
from mortgage_sms.errors import ApplicationError
from mortgage_sms.privacy import mask_phone_numbers
from routing import alerts, signals, strategies, texts
from routing.eligibility import (
    FINISHED_STATUSES,
    describe_refusals,
    eligible_candidates,
    licensing_state,
)
from routing.models import (
    OPEN_REQUEST_STATUSES,
    LoanOfficer,
    Offer,
    OfferStatus,
    RequestStatus,
    RoutingRequest,
    RoutingRule,
    all_products,
)

logger = logging.getLogger(__name__)


def _enqueue(task: str, *args) -> None:
    """Speed to an officer: routing and alerts run on the priority lane (mortgage_sms/jobs.py)."""
    jobs.enqueue(task, *args, priority=True)


def _actor(officer: LoanOfficer) -> str:
    return f"officer:{officer.user.get_username()}"


# --- Officers ---------------------------------------------------------------------------------


def _parse_list(raw: str, allowed, field: str, *, upper: bool) -> list[str]:
    values = [v.strip().upper() if upper else v.strip().lower() for v in raw.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ApplicationError(f"Unknown {field}: {', '.join(bad)}.", field=field)
    return values


@transaction.atomic
def officer_create(
    *,
    username: str,
    password: str,
    name: str,
    nmls_id: str,
    states: str,
    products: str = "",
    mobile_phone: str = "",
    email: str = "",
    after_hours: bool = False,
) -> LoanOfficer:
    """A loan officer with a login for the claim-your-lead pages."""
    licensed = _parse_list(states, US_STATES, "states", upper=True)
    if not licensed:
        raise ApplicationError("An officer needs at least one licensed state.", field="states")
    offered = _parse_list(products, LoanType.values, "products", upper=False) or all_products()
    mobile = normalize_phone(mobile_phone, field="phone") if mobile_phone else ""
    _check_email(email)
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ApplicationError(f"The username {username!r} is taken.", field="username")
    user = User(username=User.normalize_username(username), email=User.objects.normalize_email(email))
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise ApplicationError(
            f"Choose another password: {' '.join(error.messages)}", field="password"
        ) from None
    user.set_password(password)
    user.save()
    return LoanOfficer.objects.create(
        user=user,
        name=name,
        nmls_id=nmls_id,
        licensed_states=licensed,
        products=offered,
        mobile_phone=mobile,
        email=email,
        after_hours=after_hours,
    )


def _check_email(email: str) -> None:
    """An officer's alerts and password resets go there: a typo is refused, not stored."""
    if not email:
        return
    try:
        validate_email(email)
    except ValidationError:
        raise ApplicationError(f"{email!r} is not an e-mail address.", field="email") from None


# --- Starting and stopping a search -----------------------------------------------------------


def is_routable(lead: Lead) -> bool:
    """Open, reachable, and not already with an officer."""
    if lead.status in FINISHED_STATUSES:
        return False
    return not (lead.status == LeadStatus.CLAIMED and lead.assigned_officer_id)


def routing_start(
    *, lead: Lead, reason: str, actor: str = "system", exclude: tuple[int, ...] = ()
) -> RoutingRequest | None:
    """Start looking for an officer (once: a search already under way is returned as is)."""
    lead.refresh_from_db(fields=["status", "assigned_officer"])
    if not is_routable(lead):
        return None
    existing = RoutingRequest.objects.filter(lead=lead, status__in=OPEN_REQUEST_STATUSES).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            request = RoutingRequest.objects.create(
                lead=lead, reason=reason, excluded_officer_ids=list(exclude)
            )
    except IntegrityError:
        return RoutingRequest.objects.get(lead=lead, status__in=OPEN_REQUEST_STATUSES)
    lead_services.lead_event_record(
        lead=lead, type="routing_started", actor=actor, description=f"Looking for an officer: {reason}."
    )
    _enqueue("routing.tasks.route_lead", request.pk)
    return request


@transaction.atomic
def routing_cancel(*, lead: Lead, reason: str, actor: str, now: datetime | None = None) -> int:
    """Stop the search under way, if any, and withdraw its offers."""
    now = now or timezone.now()
    cancelled = 0
    for request in RoutingRequest.objects.select_for_update().filter(
        lead=lead, status__in=OPEN_REQUEST_STATUSES
    ):
        request.offers.filter(status=OfferStatus.PENDING).update(status=OfferStatus.WITHDRAWN, decided_at=now)
        request.status, request.note, request.resolved_at = RequestStatus.CANCELLED, reason, now
        request.save(update_fields=["status", "note", "resolved_at", "updated_at"])
        lead_services.lead_event_record(
            lead=lead, type="routing_cancelled", actor=actor, description=f"Routing stopped: {reason}."
        )
        cancelled += 1
    return cancelled


# A lead that ends up in one of these no longer needs an officer. Moving back into the
# conversation (qualifying) does not stop a search: the borrower asked for a person.
STOP_ROUTING_STATUSES = (*FINISHED_STATUSES, LeadStatus.NURTURING)


def routing_react_to_status(*, lead: Lead, new_status: str, actor: str) -> None:
    """Qualified starts a search; closing, opting out or going to nurture ends it."""
    if new_status == LeadStatus.QUALIFIED:
        routing_start(lead=lead, reason="the lead is qualified", actor=actor)
    elif new_status in STOP_ROUTING_STATUSES:
        routing_cancel(lead=lead, reason=f"the lead is now {new_status}", actor=actor)


# --- Offering ---------------------------------------------------------------------------------


@transaction.atomic
def routing_offer_next(*, request_id: int, now: datetime | None = None) -> list[Offer]:
    """Offer the lead to the next officer(s), or put it in the ops queue. Safe to run twice."""
    now = now or timezone.now()
    lead_id = RoutingRequest.objects.filter(pk=request_id).values_list("lead_id", flat=True).first()
    if lead_id is None:
        return []
    # Lead first, then the request: the same order as the leads app's writes and the claim.
    lead = Lead.objects.select_for_update().get(pk=lead_id)
    request = RoutingRequest.objects.select_for_update().get(pk=request_id)
    if (
        request.status not in OPEN_REQUEST_STATUSES
        or request.offers.filter(status=OfferStatus.PENDING).exists()
    ):
        return []  # finished, or an offer is still open: its expiry moves things on
    if not is_routable(lead):
        routing_cancel(lead=lead, reason=f"the lead is {lead.status}", actor="system", now=now)
        return []
    rule, chosen, why_not = _choose(request, lead, now)
    if not chosen:
        _wait_for_ops(request, lead, why_not)
        return []
    return _make_offers(request, lead, rule, chosen, now)


def _choose(request: RoutingRequest, lead: Lead, now: datetime):
    """The first matching rule with someone eligible who has not had this lead yet."""
    tried = {*request.offers.values_list("officer_id", flat=True), *request.excluded_officer_ids}
    notes = []
    for rule in RoutingRule.objects.filter(active=True):
        if not rule.matches(lead):
            continue
        # Leads routed by one rule at once take turns: each sees whose turn it is and the
        # offers just made, so round robin and least loaded stay fair under concurrency.
        rule = RoutingRule.objects.select_for_update().get(pk=rule.pk)
        officers = rule.pool.officers.all() if rule.pool else LoanOfficer.objects.all()
        candidates, refusals = eligible_candidates(lead, officers.exclude(pk__in=tried), now=now)
        if candidates:
            return rule, strategies.pick(rule, candidates), ""
        notes.append(f"{rule.name}: {describe_refusals(refusals)}")
        if not rule.overflow:
            break
    return None, [], "; ".join(notes) or "no routing rule matches this lead"


def _make_offers(request, lead, rule, chosen, now) -> list[Offer]:
    expires_at = now + rule.offer_duration()
    offers = [
        Offer.objects.create(
            request=request,
            lead=lead,
            officer=c.officer,
            rule=rule,
            strategy=rule.strategy,
            created_at=now,
            expires_at=expires_at,
        )
        for c in chosen
    ]
    if request.status != RequestStatus.OFFERING:
        request.status = RequestStatus.OFFERING
        request.save(update_fields=["status", "updated_at"])
    names = ", ".join(o.officer.name for o in offers)
    how = f"Offered to {names} (rule {rule.name!r}, {rule.get_strategy_display().lower()})."
    data = {
        "officer_ids": [o.officer_id for o in offers],
        "rule_id": rule.pk,
        "expires_at": expires_at.isoformat(),
    }
    already_offered = not lead_services.lead_set_status(
        lead=lead, status=LeadStatus.OFFERED, actor="routing", reason=how, data=data
    )
    if already_offered:  # the next officer after an expiry: no status change, still an event
        lead_services.lead_event_record(
            lead=lead, type="offered", actor="routing", description=how, data=data
        )
    for offer in offers:
        _enqueue("routing.tasks.alert_officer", offer.pk)
    return offers


def _wait_for_ops(request: RoutingRequest, lead: Lead, why_not: str) -> None:
    """Nobody can take the lead now: it waits in the ops queue (and the sweep keeps trying)."""
    if request.status == RequestStatus.WAITING:
        return
    request.status, request.note = RequestStatus.WAITING, why_not
    request.save(update_fields=["status", "note", "updated_at"])
    lead_services.lead_event_record(
        lead=lead, type="routing_waiting", actor="routing", description=f"No officer available: {why_not}."
    )
    if lead.status == LeadStatus.OFFERED:
        lead_services.lead_set_status(
            lead=lead, status=LeadStatus.QUALIFIED, actor="routing", reason="No officer took the offer."
        )
    if request.ops_alerted_at is None:
        _enqueue("routing.tasks.alert_ops", request.pk)
    signals.routing_waiting.send(sender=RoutingRequest, lead=lead, request=request)


def offer_expiry_sweep(*, now: datetime | None = None) -> dict:
    """Expire overdue offers and move their leads on; try the ops queue again."""
    now = now or timezone.now()
    moved = set()
    overdue = Offer.objects.filter(status=OfferStatus.PENDING, expires_at__lte=now).select_related(
        "lead", "officer"
    )
    for offer in overdue[:500]:
        if Offer.objects.filter(pk=offer.pk, status=OfferStatus.PENDING).update(
            status=OfferStatus.EXPIRED, decided_at=now
        ):
            lead_services.lead_event_record(
                lead=offer.lead,
                type="offer_expired",
                actor="routing",
                description=f"{offer.officer.name} did not claim the lead in time.",
                data={"officer_id": offer.officer_id},
            )
            moved.add(offer.request_id)
    # Officers come back from lunch and start their shifts: a waiting lead may have someone now.
    waiting = set(
        RoutingRequest.objects.filter(status=RequestStatus.WAITING).values_list("pk", flat=True)[:200]
    )
    for request_id in sorted(moved | waiting):
        _enqueue("routing.tasks.route_lead", request_id)
    return {"expired": len(moved), "retried": len(waiting), **routing_lost_work_requeue(now=now)}


def routing_lost_work_requeue(*, now: datetime) -> dict:
    """Queue again the routing work whose task was lost (the Redis broker acknowledges nothing,
    and nothing is queued while it is down): a search with no open offer, an offer whose officer
    was never alerted, a waiting lead ops never heard about. Each task claims its row."""
    lost_before = now - timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    stalled = RoutingRequest.objects.filter(
        status=RequestStatus.OFFERING, updated_at__lt=lost_before
    ).exclude(offers__status=OfferStatus.PENDING)
    searches = list(stalled.values_list("pk", flat=True)[:200])
    unalerted = Offer.objects.filter(
        status=OfferStatus.PENDING, alerted_at__isnull=True, created_at__lt=lost_before
    )
    offers = list(unalerted.values_list("pk", flat=True)[:200])
    unheard = RoutingRequest.objects.filter(
        status=RequestStatus.WAITING, ops_alerted_at__isnull=True, updated_at__lt=lost_before
    )
    waiting = list(unheard.values_list("pk", flat=True)[:200])
    for request_id in searches:
        _enqueue("routing.tasks.route_lead", request_id)
    for offer_id in offers:
        _enqueue("routing.tasks.alert_officer", offer_id)
    for request_id in waiting:
        _enqueue("routing.tasks.alert_ops", request_id)
    return {
        "searches_requeued": len(searches),
        "alerts_requeued": len(offers),
        "ops_alerts_requeued": len(waiting),
    }


# --- Alerts -----------------------------------------------------------------------------------


def offer_alert(*, offer_id: int) -> str:
    """Tell the officer about the offer by text and email, once."""
    if not Offer.objects.filter(pk=offer_id, alerted_at__isnull=True).update(alerted_at=timezone.now()):
        return "already alerted"
    offer = Offer.objects.select_related("lead", "officer").get(pk=offer_id)
    officer = offer.officer
    errors = []
    if officer.mobile_phone:
        errors.append(
            _text_staff(officer.mobile_phone, texts.offer_sms(offer), f"offer_alert:{offer.pk}", officer)
        )
    if officer.email:
        errors.append(_email([officer.email], *texts.offer_email(offer)))
    if not (officer.mobile_phone or officer.email):
        errors.append("The officer has no mobile phone or email for alerts.")
    error = " ".join(e for e in errors if e)
    if error:
        Offer.objects.filter(pk=offer.pk).update(alert_error=error)
    return "alerted"


def routing_alert_ops(*, request_id: int) -> str:
    """Tell ops, once, that a lead is waiting with nobody to offer it to."""
    now = timezone.now()
    if not RoutingRequest.objects.filter(pk=request_id, ops_alerted_at__isnull=True).update(
        ops_alerted_at=now
    ):
        return "already alerted"
    request = RoutingRequest.objects.select_related("lead").get(pk=request_id)
    subject, body = texts.ops_alert(request)
    for phone in settings.ROUTING_OPS_PHONES:
        _text_staff(phone, f"{subject}. {body}", f"ops_alert:{request.pk}:{phone}")
    if settings.ROUTING_OPS_EMAILS:
        _email(settings.ROUTING_OPS_EMAILS, subject, body)
    if not (settings.ROUTING_OPS_PHONES or settings.ROUTING_OPS_EMAILS):
        logger.warning("Ops queue: %s (set ROUTING_OPS_EMAILS or ROUTING_OPS_PHONES to be told)", subject)
    return "alerted"


def routing_tell_ops_about_third_party(*, lead: Lead, role: str, words: str) -> None:
    """A realtor (a possible referral partner), title or escrow staff texted the borrower line."""
    subject = f"A {role} texted about lead {lead.full_name or lead.phone}"
    body = f"{subject} ({lead.phone}): {words[:300]!r}. The assistant closed the inquiry politely."
    transaction.on_commit(lambda: _tell_ops(subject, body, key=f"third_party:{lead.pk}"))


def _tell_ops(subject: str, body: str, *, key: str) -> None:
    for phone in settings.ROUTING_OPS_PHONES:
        _text_staff(phone, f"{subject}. {body}"[:320], f"{key}:{phone}")
    if settings.ROUTING_OPS_EMAILS:
        _email(settings.ROUTING_OPS_EMAILS, subject, body)
    if not (settings.ROUTING_OPS_PHONES or settings.ROUTING_OPS_EMAILS):
        logger.warning("%s (set ROUTING_OPS_EMAILS or ROUTING_OPS_PHONES to be told)", subject)


def _text_staff(phone: str, body: str, key: str, officer: LoanOfficer | None = None) -> str:
    """A system text to a member of staff (on no borrower's thread); returns the error, if any."""
    try:
        send_sms(body=body, kind=Kind.SYSTEM, sender=Sender.SYSTEM, to=phone, officer=officer, dedupe_key=key)
    except ApplicationError as error:  # a mistyped number in the admin
        logger.warning(
            "Alert to %s not sent: %s", mask_phone_numbers(phone), mask_phone_numbers(error.message)
        )
        return error.message
    return ""


def _email(to: list[str], subject: str, body: str) -> str:
    """Send an email; returns the error, if any (a mail server being down must not stop routing)."""
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    except Exception as error:  # smtplib and socket errors alike
        logger.warning("Email to %s failed: %s", to, error)
        return str(error)[:500]
    return ""


# --- Claiming ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimResult:
    won: bool
    message: str
    winner: LoanOfficer | None = None


@transaction.atomic
def offer_claim(*, officer: LoanOfficer, lead_id, now: datetime | None = None) -> ClaimResult:
    """Claim an offered lead. Of officers claiming at once, exactly one wins."""
    now = now or timezone.now()
    _refuse_if_deactivated(officer)
    offer = Offer.objects.filter(lead_id=lead_id, officer=officer).order_by("-created_at").first()
    if offer is None:
        raise ApplicationError("This lead was not offered to you.", status=404)
    lead = Lead.objects.select_for_update().get(pk=lead_id)  # same lock order as the leads app
    if offer.status == OfferStatus.CLAIMED and lead.assigned_officer_id == officer.pk:
        return ClaimResult(won=True, message="The lead is already yours.", winner=officer)
    if not officer.is_licensed_in(licensing_state(lead)):
        return ClaimResult(
            won=False, message=f"You are not licensed in {licensing_state(lead) or 'its state'}."
        )
    if offer.status != OfferStatus.PENDING or offer.expires_at <= now:
        return _lost(offer)
    # The one conditional update that decides: only one claim finds the search still open.
    won = RoutingRequest.objects.filter(pk=offer.request_id, status=RequestStatus.OFFERING).update(
        status=RequestStatus.CLAIMED, claimed_by=officer, resolved_at=now, updated_at=now
    )
    if not won:
        return _lost(offer)
    Offer.objects.filter(pk=offer.pk).update(status=OfferStatus.CLAIMED, decided_at=now)
    Offer.objects.filter(request_id=offer.request_id, status=OfferStatus.PENDING).update(
        status=OfferStatus.TAKEN, decided_at=now
    )
    _hand_over(lead, officer, actor=_actor(officer), key=f"introduction:{offer.request_id}")
    return ClaimResult(
        won=True, message="The lead is yours. The borrower has your introduction.", winner=officer
    )


def _lost(offer: Offer) -> ClaimResult:
    request = RoutingRequest.objects.select_related("claimed_by").get(pk=offer.request_id)
    if request.claimed_by and request.claimed_by != offer.officer:
        return ClaimResult(
            won=False,
            message=f"{request.claimed_by.name} claimed this lead first.",
            winner=request.claimed_by,
        )
    return ClaimResult(won=False, message="This offer has expired or was withdrawn; the lead has moved on.")


def _hand_over(lead: Lead, officer: LoanOfficer, *, actor: str, key: str) -> SendResult:
    """The officer has the lead: assigned, claimed, the assistant steps back, the borrower is told."""
    lead_services.lead_assign(lead=lead, officer=officer, actor=actor)
    lead_services.lead_set_status(
        lead=lead, status=LeadStatus.CLAIMED, actor=actor, reason=f"Claimed by {officer}."
    )
    lead_services.lead_set_ai_paused(lead=lead, paused=True, actor=actor)
    return send_sms(
        lead=lead,
        body=texts.introduction(lead, officer),
        kind=Kind.INTRODUCTION,
        sender=Sender.OFFICER,
        officer=officer,
        dedupe_key=key,
    )


# --- What an officer does with their lead -----------------------------------------------------


def _refuse_if_deactivated(officer: LoanOfficer) -> None:
    if not officer.active:
        raise ApplicationError(f"{officer.name}'s officer account is deactivated.", status=403)


def _own(lead: Lead, officer: LoanOfficer) -> Lead:
    _refuse_if_deactivated(officer)
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.assigned_officer_id != officer.pk:
        raise ApplicationError("This lead is not assigned to you.", status=403)
    return lead


def officer_reply(*, officer: LoanOfficer, lead: Lead, body: str, token: str = "") -> SendResult:
    """Text the borrower from the shared number; a form sent twice sends once."""
    body = body.strip()
    if not body:
        raise ApplicationError("Write a message first.", field="body")
    with transaction.atomic():
        lead = _own(lead, officer)
        result = send_sms(
            lead=lead,
            body=body,
            kind=Kind.REPLY,
            sender=Sender.OFFICER,
            officer=officer,
            dedupe_key=f"officer_reply:{token}" if token else None,
        )
        if result.queued:
            alerts.thread_mark_answered(lead=lead, officer=officer)
        return result


@transaction.atomic
def lead_release(*, officer: LoanOfficer, lead: Lead) -> RoutingRequest | None:
    """Give the lead back: routing finds another officer (not this one); the assistant resumes."""
    lead = _own(lead, officer)
    actor = _actor(officer)
    lead_services.lead_assign(lead=lead, officer=None, actor=actor)
    lead_services.lead_set_ai_paused(lead=lead, paused=False, actor=actor)
    request = routing_start(
        lead=lead, reason=f"released by {officer.name}", actor=actor, exclude=(officer.pk,)
    )
    lead_services.lead_set_status(
        lead=lead, status=LeadStatus.QUALIFIED, actor=actor, reason=f"Released by {officer.name}."
    )
    return request


LOSS_REASONS = {
    "rate": "went with another lender on rate or fees",
    "not_ready": "not ready to buy or refinance",
    "credit": "did not qualify (credit or income)",
    "unresponsive": "stopped answering",
    "property": "lost the house or the deal fell through",
    "other": "other",
}


@transaction.atomic
def lead_close(
    *, officer: LoanOfficer, lead: Lead, won: bool, loss_reason: str = "", detail: str = ""
) -> None:
    """Won or lost; a loss says why, and the timeline says who closed it ("Marked won by Jane")."""
    if not won and loss_reason not in LOSS_REASONS:
        raise ApplicationError("Say why the lead was lost.", field="loss_reason")
    lead = _own(lead, officer)
    status = LeadStatus.CLOSED_WON if won else LeadStatus.CLOSED_LOST
    reason = f"Marked {'won' if won else 'lost'} by {officer.name}"
    if not won:
        reason += f": {LOSS_REASONS[loss_reason]}" + (f" ({detail.strip()[:200]})" if detail.strip() else "")
    data = {} if won else {"loss_reason": loss_reason, "loss_detail": detail.strip()[:200]}
    lead_services.lead_set_status(
        lead=lead, status=status, actor=_actor(officer), reason=f"{reason}.", data=data
    )


@transaction.atomic
def lead_set_assistant(*, officer: LoanOfficer, lead: Lead, on: bool) -> None:
    """The officer hands the conversation back to the assistant, or takes it again."""
    lead = _own(lead, officer)
    lead_services.lead_set_ai_paused(lead=lead, paused=not on, actor=_actor(officer))


# --- Ops: re-route and reassign ---------------------------------------------------------------


@transaction.atomic
def lead_reroute(*, lead: Lead, actor: str) -> RoutingRequest | None:
    """Start the search over: any offer is withdrawn, any officer unassigned."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status in FINISHED_STATUSES:
        raise ApplicationError(f"A lead that is {lead.status} is not routed.", status=409)
    routing_cancel(lead=lead, reason=f"re-routed by {actor}", actor=actor)
    if lead.assigned_officer_id:
        lead_services.lead_assign(lead=lead, officer=None, actor=actor)
        lead_services.lead_set_ai_paused(lead=lead, paused=False, actor=actor)
    request = routing_start(lead=lead, reason=f"re-routed by {actor}", actor=actor)
    lead_services.lead_set_status(lead=lead, status=LeadStatus.QUALIFIED, actor=actor, reason="Re-routed.")
    return request


@transaction.atomic
def lead_reassign(*, lead: Lead, officer: LoanOfficer, actor: str) -> RoutingRequest:
    """Give the lead straight to an officer: still only to one licensed in its state."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    state = licensing_state(lead)
    if not officer.is_licensed_in(state):
        raise ApplicationError(
            f"{officer.name} is not licensed in {state or 'the lead state'}.", field="officer"
        )
    if not officer.active:
        raise ApplicationError(f"{officer.name} is not active.", field="officer")
    if lead.status in FINISHED_STATUSES:
        raise ApplicationError(f"A lead that is {lead.status} cannot be assigned.", status=409)
    if lead.assigned_officer_id == officer.pk:
        raise ApplicationError(f"The lead is already with {officer.name}.", field="officer")
    routing_cancel(lead=lead, reason=f"assigned to {officer.name} by {actor}", actor=actor)
    now = timezone.now()
    request = RoutingRequest.objects.create(
        lead=lead,
        reason=f"assigned by {actor}",
        status=RequestStatus.CLAIMED,
        claimed_by=officer,
        resolved_at=now,
    )
    _hand_over(lead, officer, actor=actor, key=f"introduction:{request.pk}")
    return request
