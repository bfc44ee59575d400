"""Appointments: offer free times by text, book the borrower's answer, move or cancel by text,
alert the officer with an iCalendar invite, remind the borrower a day and an hour before."""

import logging
import re
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments import calendar, signals, slots, texts
from appointments.models import Appointment, AppointmentStatus, OfferStatus, SlotOffer
from appointments.parsing import normalize, parse_answer
from conversations import windows
from conversations.models import Kind, Message, Sender
from conversations.services import send_sms
from leads import services as lead_services
from leads.models import Lead
from mortgage_sms import jobs
from routing.eligibility import FINISHED_STATUSES
from routing.services import _text_staff
from routing.texts import lead_url, short_name

logger = logging.getLogger(__name__)

OFFER_LIFETIME = timedelta(days=2)
# "call me thursday": the borrower names a later time (a bare "call me" is the assistant's hand-off).
_TALK_LATER = re.compile(
    r"\b(talk later|later today|another time|not (a good time|now)|busy (now|right now|at work)|at work"
    r"|schedule a call|set up a (call|time)|book a (call|time)|appointment|free (after|at|on|tomorrow|this|today)"
    r"|call me (tomorrow|later|after|at|on|this|next|in the|around|(mon|tue|wed|thu|fri|sat|sun)\w*)"
    r"|cita|mas tarde|otro momento)\b"
)
_CANCEL = re.compile(r"\b(cancel|cancelar|can'?t make it|no puedo)\b")
_MOVE = re.compile(
    r"\b(reschedule|move|change (the|my) (time|appointment)|another time|different time|cambiar)\b"
)


# --- The layer before the assistant -----------------------------------------------------------


def scheduling_intercept(*, lead: Lead, message: Message) -> bool:
    """Answer the borrower's text when it is about an appointment; False lets the assistant
    (or the officer) have it. Runs inside the inbound transaction."""
    now = message.created_at
    text = normalize(message.body)
    offer = SlotOffer.objects.filter(lead=lead, status=OfferStatus.OPEN, expires_at__gt=now).first()
    upcoming = _upcoming(lead, now)
    if upcoming and _CANCEL.search(text) and not offer:
        appointment_cancel(appointment=upcoming, actor="borrower", notify_borrower=True)
        return True
    if offer and _answer_offer(lead, offer, message.body, now):
        return True
    if upcoming and (_MOVE.search(text) or parse_answer(message.body, now=now, zone=_zone(lead)) is not None):
        return _move_by_text(lead, upcoming, message.body, now)
    if not upcoming and _wants_later(lead, text, now):
        return _book_or_offer(lead, message.body, now)
    return False


def _zone(lead: Lead):
    return windows.borrower_timezone(lead)


def _upcoming(lead: Lead, now: datetime) -> Appointment | None:
    return (
        Appointment.objects.filter(lead=lead, status=AppointmentStatus.BOOKED, starts_at__gt=now)
        .select_related("officer")
        .first()
    )


def _wants_later(lead: Lead, text: str, now: datetime) -> bool:
    """Would rather talk later ("busy now, call me tomorrow at 3"). A plain "call me" is the
    assistant's hand-off to routing; times are offered if nobody can take it (see below). The
    layer stays quiet while an officer is talking."""
    if lead.ai_paused or lead.status in FINISHED_STATUSES:
        return False
    return bool(_TALK_LATER.search(text))


def _book_or_offer(lead: Lead, body: str, now: datetime, appointment: Appointment | None = None) -> bool:
    """A time in the text ("tomorrow at 3") is booked when free; otherwise times are offered."""
    answer = parse_answer(body, now=now, zone=_zone(lead), offered=0)
    slot = _slot_for(lead, answer, now, ignore=appointment) if answer else None
    if slot:
        _book_or_move(lead, slot, appointment, now)
    else:
        slot_offer_send(
            lead=lead,
            now=now,
            appointment=appointment,
            prefix=texts.not_free(_zone(lead), lead.language) if answer else "",
        )
    return True


def _slot_for(lead: Lead, answer, now: datetime, *, ignore=None, offered: list[dict] | None = None):
    if answer.choice and offered and answer.choice <= len(offered):
        chosen = offered[answer.choice - 1]
        moment = datetime.fromisoformat(chosen["starts_at"])
        return slots.slot_at(lead, moment, now=now, ignore=ignore)
    if answer.at:
        return slots.slot_at(lead, answer.at, now=now, ignore=ignore)
    if answer.start:
        return slots.first_slot_between(lead, answer.start, answer.end, now=now, ignore=ignore)
    return None


def _answer_offer(lead: Lead, offer: SlotOffer, body: str, now: datetime) -> bool:
    answer = parse_answer(body, now=now, zone=_zone(lead), offered=len(offer.slots))
    if answer is None:
        if re.search(r"\b(none|neither|ninguna|other times?|otra hora)\b", normalize(body)):
            later = now + timedelta(days=1)
            slot_offer_send(lead=lead, now=later, appointment=offer.appointment, offered_at=now)
            return True
        return False  # not about the times: the assistant answers, the offer stays open
    slot = _slot_for(lead, answer, now, ignore=offer.appointment, offered=offer.slots)
    if slot is None:
        slot_offer_send(
            lead=lead,
            now=now,
            appointment=offer.appointment,
            prefix=texts.not_free(_zone(lead), lead.language),
        )
        return True
    SlotOffer.objects.filter(pk=offer.pk, status=OfferStatus.OPEN).update(status=OfferStatus.ANSWERED)
    _book_or_move(lead, slot, offer.appointment, now)
    return True


def _move_by_text(lead: Lead, appointment: Appointment, body: str, now: datetime) -> bool:
    return _book_or_offer(lead, body, now, appointment=appointment)


def _book_or_move(lead: Lead, slot, appointment: Appointment | None, now: datetime) -> None:
    if appointment:
        appointment_move(appointment=appointment, slot=slot, actor="borrower")
    else:
        appointment_book(lead=lead, slot=slot, actor="borrower", now=now)


# --- Offering times ---------------------------------------------------------------------------


def slot_offer_send(
    *,
    lead: Lead,
    now: datetime,
    appointment: Appointment | None = None,
    prefix: str = "",
    offered_at: datetime | None = None,
    quiet_when_none: bool = False,
) -> SlotOffer | None:
    """Text the borrower up to three free times (from `now` on); None when there are none."""
    offered_at = offered_at or now
    choices = slots.spread_slots(lead, now=now, ignore=appointment)
    if not choices and quiet_when_none:
        return None
    SlotOffer.objects.filter(lead=lead, status=OfferStatus.OPEN).update(status=OfferStatus.WITHDRAWN)
    if not choices:
        _reply(
            lead,
            f"{prefix} {texts.no_slots(lead.language)}".strip(),
            key=f"no_slots:{lead.pk}:{offered_at.timestamp():.0f}",
        )
        return None
    offer = SlotOffer.objects.create(
        lead=lead,
        slots=[slot.as_json() for slot in choices],
        appointment=appointment,
        created_at=offered_at,
        expires_at=offered_at + OFFER_LIFETIME,
    )
    who = lead.assigned_officer.name if lead.assigned_officer_id else "a licensed loan officer"
    body = texts.offer(choices, _zone(lead), lead.language, who)
    _reply(lead, f"{prefix} {body}".strip(), key=f"slot_offer:{offer.pk}")
    lead_services.lead_event_record(
        lead=lead,
        type="appointment_offered",
        actor="assistant",
        description="Offered times: " + "; ".join(texts.when(s.starts_at, _zone(lead)) for s in choices),
        data={"slot_offer_id": offer.pk, "slots": offer.slots},
    )
    return offer


def _reply(lead: Lead, body: str, *, key: str):
    return send_sms(lead=lead, body=body, kind=Kind.REPLY, sender=Sender.AGENT, dedupe_key=key)


# --- Booking, moving, cancelling --------------------------------------------------------------


def appointment_book(*, lead: Lead, slot, actor: str, now: datetime | None = None) -> Appointment | None:
    """Book the slot; None when someone else took it a moment ago (the borrower is offered more)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            appointment = Appointment.objects.create(
                lead=lead,
                officer=slot.officer,
                starts_at=slot.starts_at,
                ends_at=slot.starts_at + slots.length(),
                booked_by=actor,
                created_at=now,
            )
    except IntegrityError:
        slot_offer_send(lead=lead, now=now, prefix=texts.not_free(_zone(lead), lead.language))
        return None
    _after_change(appointment, "appointment_booked", f"Appointment booked with {slot.officer.name}")
    signals.appointment_booked.send(sender=Appointment, appointment=appointment)
    return appointment


def appointment_move(*, appointment: Appointment, slot, actor: str) -> Appointment | None:
    try:
        with transaction.atomic():
            Appointment.objects.filter(pk=appointment.pk).update(
                officer=slot.officer,
                starts_at=slot.starts_at,
                ends_at=slot.starts_at + slots.length(),
                sequence=appointment.sequence + 1,
                reminded_day_at=None,
                reminded_hour_at=None,
            )
    except IntegrityError:
        slot_offer_send(lead=appointment.lead, now=timezone.now(), appointment=appointment)
        return None
    appointment.refresh_from_db()
    _after_change(appointment, "appointment_rescheduled", f"Appointment moved by the {actor}")
    signals.appointment_rescheduled.send(sender=Appointment, appointment=appointment)
    return appointment


def appointment_cancel(*, appointment: Appointment, actor: str, notify_borrower: bool) -> bool:
    now = timezone.now()
    if not Appointment.objects.filter(pk=appointment.pk, status=AppointmentStatus.BOOKED).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=now, sequence=appointment.sequence + 1
    ):
        return False
    appointment.refresh_from_db()
    SlotOffer.objects.filter(appointment=appointment, status=OfferStatus.OPEN).update(
        status=OfferStatus.WITHDRAWN
    )
    _after_change(
        appointment,
        "appointment_cancelled",
        f"Appointment cancelled by the {actor}",
        tell_borrower=notify_borrower,
    )
    signals.appointment_cancelled.send(sender=Appointment, appointment=appointment)
    return True


def _after_change(appointment: Appointment, event: str, what: str, *, tell_borrower: bool = True) -> None:
    """The timeline, the borrower's confirmation, the officer's invite (on commit: mail is slow)."""
    lead = appointment.lead
    zone = _zone(lead)
    at = f"{texts.when(appointment.starts_at, zone)} {texts.zone_name(appointment.starts_at, zone)}"
    lead_services.lead_event_record(
        lead=lead,
        type=event,
        actor=appointment.booked_by or "borrower",
        description=f"{what}: {at}.",
        data={"appointment_id": str(appointment.pk), "starts_at": appointment.starts_at.isoformat()},
    )
    if tell_borrower:
        body = (
            texts.cancelled(lead.language)
            if appointment.status == AppointmentStatus.CANCELLED
            else texts.booked(appointment, zone, lead.language)
        )
        _reply(lead, body, key=f"{event}:{appointment.pk}:{appointment.sequence}")
    _enqueue_alert(appointment.pk)  # on commit


def _enqueue_alert(appointment_id) -> None:
    # An officer's alert (priority lane); a broker that is down must not undo the booking.
    jobs.enqueue("appointments.tasks.alert_officer", str(appointment_id), priority=True)


def officer_alert(*, appointment_id) -> str:
    """The officer's invite by e-mail (iCalendar, updates the same event on a move) and a text."""
    appointment = Appointment.objects.select_related("lead", "officer__user").get(pk=appointment_id)
    officer, lead = appointment.officer, appointment.lead
    local = appointment.starts_at.astimezone(windows_zone(officer))
    verb = {AppointmentStatus.CANCELLED: "cancelled"}.get(
        appointment.status, "moved" if appointment.sequence else "booked"
    )
    line = f"Appointment {verb}: {short_name(lead)} {local:%a %b %-d %-I:%M %p %Z}. {lead_url(lead)}"
    if officer.mobile_phone and officer.alert_by_sms:
        _text_staff(
            officer.mobile_phone, line, f"appointment:{appointment.pk}:{appointment.sequence}", officer
        )
    if officer.email:
        email = EmailMessage(
            subject=f"Appointment {verb}: {lead.full_name or lead.phone}, {local:%a %b %-d %-I:%M %p %Z}",
            body=f"{line}\n\nThe invite is attached; your private calendar feed has it too.",
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[officer.email],
        )
        method = "CANCEL" if appointment.status == AppointmentStatus.CANCELLED else "REQUEST"
        email.attach("invite.ics", calendar.invite(appointment), f"text/calendar; method={method}")
        try:
            email.send()
        except Exception as error:  # a mail server being down must not undo the booking
            logger.warning("Invite e-mail to %s failed: %s", officer.email, error)
            return f"e-mail failed: {error}"
    return "alerted"


def windows_zone(officer):
    from zoneinfo import ZoneInfo

    return ZoneInfo(officer.time_zone)


# --- Reminders --------------------------------------------------------------------------------


def reminders_send(*, now: datetime | None = None) -> int:
    """A day before (when booked more than a day ahead) and an hour before. Sent as replies to
    the borrower's own request: held by the outbox until their contact window opens."""
    now = now or timezone.now()
    sent = 0
    booked = Appointment.objects.filter(status=AppointmentStatus.BOOKED, starts_at__gt=now).select_related(
        "lead", "officer"
    )
    day_due = booked.filter(
        reminded_day_at__isnull=True,
        starts_at__lte=now + timedelta(hours=24),
        starts_at__gt=now + timedelta(hours=2),
        created_at__lte=now - timedelta(hours=2),
    )
    for appointment in day_due[:200]:
        sent += _remind(appointment, "reminded_day_at", hours=24, now=now)
    for appointment in booked.filter(reminded_hour_at__isnull=True, starts_at__lte=now + timedelta(hours=1))[
        :200
    ]:
        sent += _remind(appointment, "reminded_hour_at", hours=1, now=now)
    return sent


def _remind(appointment: Appointment, field: str, *, hours: int, now: datetime) -> int:
    if not Appointment.objects.filter(pk=appointment.pk, **{f"{field}__isnull": True}).update(**{field: now}):
        return 0
    lead = appointment.lead
    body = texts.reminder(appointment, _zone(lead), lead.language, hours=hours)
    _reply(lead, body, key=f"appointment_reminder:{appointment.pk}:{appointment.sequence}:{hours}")
    return 1


# --- Before a claim ---------------------------------------------------------------------------


def offer_while_waiting(*, lead: Lead, asked_for_person: bool = False) -> SlotOffer | None:
    """A hot lead (or one who asked for a person) nobody can take now: rather than silence, the
    borrower picks a time. Nothing is sent when there is no free time either."""
    now = timezone.now()
    if not (lead.temperature == "hot" or asked_for_person):
        return None
    if not lead.is_contactable() or _upcoming(lead, now):
        return None
    if SlotOffer.objects.filter(lead=lead, status=OfferStatus.OPEN, expires_at__gt=now).exists():
        return None
    return slot_offer_send(lead=lead, now=now, quiet_when_none=True)
