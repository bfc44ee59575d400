"""Call connect: ring the officer's mobile, whisper who the borrower is, press 1, dial the
borrower from the shared number. Every call is a row first; every webhook may come twice."""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from calls import signals
from calls.gateway import ConsoleVoice, get_voice
from calls.models import LIVE_CALL_STATUSES, Call, CallStatus
from conversations import windows
from conversations.gateways import GatewayError
from leads import services as lead_services
from leads.models import Lead
from mortgage_sms import jobs
from mortgage_sms.errors import ApplicationError
from routing import alerts
from routing.models import LoanOfficer

logger = logging.getLogger(__name__)


def _enqueue(task: str, *args) -> None:
    # The officer is holding their phone: the priority lane. A broker that is down loses the
    # task, not the call: the stale-call sweeper closes a call that was never placed.
    jobs.enqueue(task, *args, priority=True)


def voice_url(name: str, call: Call) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse(name)}?call={call.pk}"


# --- May we call? -----------------------------------------------------------------------------


def call_attempt_times(lead_ids, since: datetime, until: datetime | None) -> dict:
    """{lead id: [when each call was placed]} of the calls placed to these borrowers (those that
    reached Twilio) after `since` (up to `until`): the contact rules count them against a cap
    in states that count calls and texts together."""
    calls = Call.objects.filter(lead_id__in=lead_ids, placed_at__gt=since)
    if until is not None:
        calls = calls.filter(placed_at__lte=until)
    times = {}
    for lead_id, placed_at in calls.values_list("lead_id", "placed_at"):
        times.setdefault(lead_id, []).append(placed_at)
    return times


def call_block_reason(lead: Lead, now: datetime) -> str | None:
    """Why the borrower may not be called now: opt-out and do-not-contact always; the contact
    window and the state's cap (the contact rules' own check) unless the borrower is texting us
    right now (a call they asked for answers their own request)."""
    lead.refresh_from_db(fields=["opted_out_at", "do_not_contact", "last_inbound_at"])
    if lead.do_not_contact:
        return "do_not_contact"
    if lead.opted_out_at:
        return "opted_out"
    live_since = now - timedelta(minutes=settings.REPLY_LIVE_MINUTES)
    if lead.last_inbound_at and lead.last_inbound_at >= live_since:
        return None
    return windows.block_reason(lead, now)


READABLE_BLOCKS = {
    "do_not_contact": "the borrower is marked do not contact",
    "opted_out": "the borrower opted out",
    "paused": "contact is paused by ops",
    "outside_contact_window": "it is outside the borrower's contact window",
    "holiday": "it is a holiday where the borrower lives",
    "frequency_cap": "the borrower's state allows no more contacts today",
}


# --- Starting a call ------------------------------------------------------------------------


def call_start(*, officer: LoanOfficer, lead: Lead, token: str, now: datetime | None = None) -> Call:
    """The Call button: one call per press (a form sent twice finds the first), one live call
    per borrower. Refusals are ApplicationErrors saying why, and are on the timeline."""
    from routing.services import _own

    now = now or timezone.now()
    key = f"call:{token}" if token else None
    if key and (existing := Call.objects.filter(dedupe_key=key).first()):
        return existing
    if not officer.mobile_phone:
        raise ApplicationError(
            "Add your mobile number in Settings: the call rings it first.", field="mobile_phone"
        )
    with transaction.atomic():
        lead = _own(lead, officer)  # locks the lead: presses on one lead queue up here
        if key and (existing := Call.objects.filter(dedupe_key=key).first()):
            return existing
        reason = call_block_reason(lead, now)
        if not reason:
            if Call.objects.filter(lead=lead, status__in=LIVE_CALL_STATUSES).exists():
                raise ApplicationError("A call to this borrower is already under way.", status=409)
            return _create(lead, officer, key, now)
    _record_refusal(lead, officer, reason)  # outside the lock's transaction: the refusal stays
    raise ApplicationError(f"Not calling: {READABLE_BLOCKS.get(reason, reason)}.", status=409)


def _create(lead: Lead, officer: LoanOfficer, key: str | None, now: datetime) -> Call:
    try:
        with transaction.atomic():
            call = Call.objects.create(
                lead=lead,
                officer=officer,
                officer_number=officer.mobile_phone,
                borrower_number=lead.phone,
                from_number=settings.TWILIO_VOICE_NUMBER,
                dedupe_key=key,
                recorded=settings.CALL_RECORDING,
                created_at=now,
            )
    except IntegrityError as error:
        raise ApplicationError("A call to this borrower is already under way.", status=409) from error
    lead_services.lead_event_record(
        lead=lead,
        type="call_started",
        actor=f"officer:{officer.user.get_username()}",
        description=f"{officer.name} is calling: ringing {officer.mobile_phone} first.",
        data={"call_id": str(call.pk)},
    )
    _enqueue("calls.tasks.place_call", str(call.pk))
    return call


def _record_refusal(lead: Lead, officer: LoanOfficer, reason: str) -> None:
    lead_services.lead_event_record(
        lead=lead,
        type="call_blocked",
        actor=f"officer:{officer.user.get_username()}",
        description=f"Call not placed: {READABLE_BLOCKS.get(reason, reason)}.",
        data={"reason": reason},
    )


def call_place(*, call_id) -> str:
    """Ask Twilio to ring the officer, once (the claim is placed_at)."""
    now = timezone.now()
    if not Call.objects.filter(pk=call_id, status=CallStatus.QUEUED, placed_at__isnull=True).update(
        placed_at=now
    ):
        return "already placed"
    call = Call.objects.select_related("lead", "officer").get(pk=call_id)
    started = time.monotonic()
    try:
        receipt = get_voice().call(
            to=call.officer_number,
            from_=call.from_number,
            url=voice_url("voice-whisper", call),
            status_callback=voice_url("voice-status", call),
        )
    except GatewayError as error:
        # Not retried: a call that may have gone through must not ring the officer twice.
        _finish(call, CallStatus.FAILED, note=f"Twilio refused the call: {error.message}", error=error)
        return "failed"
    Call.objects.filter(pk=call.pk).update(officer_call_sid=receipt.sid)
    logger.info("Call %s placed as %s in %.0f ms", call.pk, receipt.sid, 1000 * (time.monotonic() - started))
    return "placed"


# --- What Twilio tells us -----------------------------------------------------------------------


def call_officer_answered(*, call: Call) -> None:
    Call.objects.filter(pk=call.pk, officer_answered_at__isnull=True).update(
        officer_answered_at=timezone.now()
    )
    Call.objects.filter(pk=call.pk, status=CallStatus.QUEUED).update(status=CallStatus.RINGING)


def call_connect(*, call: Call, digits: str) -> str | None:
    """The officer pressed a key. Returns why the borrower is not dialled, or None to dial."""
    if call.status not in LIVE_CALL_STATUSES:
        return "This call has ended."
    if digits != "1":
        _finish(call, CallStatus.CANCELED, note="The officer did not press 1.")
        return "Not connected. Goodbye."
    reason = call_block_reason(call.lead, timezone.now())
    if reason:
        _finish(call, CallStatus.CANCELED, note=f"Not dialled: {READABLE_BLOCKS.get(reason, reason)}.")
        return f"The borrower cannot be called now: {READABLE_BLOCKS.get(reason, reason)}. Goodbye."
    Call.objects.filter(pk=call.pk, status__in=LIVE_CALL_STATUSES).update(
        status=CallStatus.IN_PROGRESS, connected_at=timezone.now()
    )
    return None


# Twilio's DialCallStatus / CallStatus -> ours.
TWILIO_FINAL = {
    "completed": CallStatus.COMPLETED,
    "answered": CallStatus.COMPLETED,
    "busy": CallStatus.BUSY,
    "no-answer": CallStatus.NO_ANSWER,
    "failed": CallStatus.FAILED,
    "canceled": CallStatus.CANCELED,
}


def call_dial_result(
    *, call: Call, dial_status: str, duration: str, borrower_sid: str, recording_url: str
) -> None:
    """The borrower's leg ended (the <Dial> action): the call's outcome."""
    status = TWILIO_FINAL.get(dial_status, CallStatus.FAILED)
    notes = {
        CallStatus.COMPLETED: "Talked with the borrower.",
        CallStatus.BUSY: "The borrower's line was busy.",
        CallStatus.NO_ANSWER: "The borrower did not answer.",
        CallStatus.CANCELED: "The officer hung up before the borrower answered.",
    }
    Call.objects.filter(pk=call.pk).update(
        borrower_call_sid=borrower_sid[:64], recording_url=recording_url[:200]
    )
    _finish(call, status, note=notes.get(status, "The borrower's leg failed."), duration=_seconds(duration))


def call_status_update(*, call: Call, call_status: str) -> None:
    """The officer's leg: ringing, or ended before the borrower was dialled."""
    if call_status == "ringing":
        Call.objects.filter(pk=call.pk, status=CallStatus.QUEUED).update(status=CallStatus.RINGING)
        return
    if call_status not in TWILIO_FINAL:
        return
    call.refresh_from_db()
    if call.connected_at is None:  # the borrower was never dialled: the officer's leg decides
        status = TWILIO_FINAL[call_status]
        if status == CallStatus.COMPLETED:
            status, note = CallStatus.CANCELED, "The officer answered but did not press 1."
        else:
            note = {
                CallStatus.NO_ANSWER: "The officer did not answer.",
                CallStatus.BUSY: "The officer's line was busy.",
            }.get(status, "The call to the officer failed.")
        _finish(call, status, note=note)
    elif call.status == CallStatus.IN_PROGRESS:
        # The <Dial> action normally reports first; without it, end the call by the parent leg.
        _finish(call, CallStatus.COMPLETED, note="Ended.")


# Twilio stops ringing the officer after the call's timeout (25 s) and ends a connected call at
# its time limit (4 hours unless raised): a call still live well past these had its end never
# reported (a status callback lost while this server was down; the console gateway rings nobody).
RINGING_AT_MOST = timedelta(minutes=10)
CONNECTED_AT_MOST = timedelta(hours=4, minutes=15)


def calls_settle_stale(*, now: datetime | None = None) -> int:
    """Settle each call left live too long as Twilio says it ended, or close it when nobody can
    say: one live call per borrower must not keep them uncallable for ever."""
    now = now or timezone.now()
    stale = Call.objects.filter(
        Q(status__in=[CallStatus.QUEUED, CallStatus.RINGING], created_at__lt=now - RINGING_AT_MOST)
        | Q(status=CallStatus.IN_PROGRESS, created_at__lt=now - CONNECTED_AT_MOST)
    )
    return sum(_settle(call) for call in stale.select_related("lead", "officer__user"))


def _settle(call: Call) -> bool:
    voice = get_voice()
    try:
        outcome = voice.outcome(call.officer_call_sid) if call.officer_call_sid else None
    except GatewayError as error:
        if not error.permanent:
            return False  # Twilio is unreachable: ask again at the next sweep
        outcome = None
    if outcome is None:
        why = (
            "console gateway: no phone rang" if isinstance(voice, ConsoleVoice) else "Twilio has no such call"
        )
        return _finish(call, CallStatus.FAILED, note=f"No word from Twilio on how this call ended ({why}).")
    if outcome.status not in TWILIO_FINAL:
        return False  # still ringing or talking, as far as Twilio knows
    call_status_update(call=call, call_status=outcome.status)
    return not Call.objects.get(pk=call.pk).is_live


def _seconds(value: str) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@transaction.atomic
def _finish(
    call: Call, status: str, *, note: str, duration: int | None = None, error: GatewayError | None = None
) -> bool:
    """End the call once: the first final status wins; it goes on the timeline, in webhooks and CRMs."""
    now = timezone.now()
    fields = {"status": status, "note": note[:200], "ended_at": now}
    if duration is not None:
        fields["duration_seconds"] = duration
    if error is not None:
        fields.update(error_code=error.code, error_message=error.message)
    if not Call.objects.filter(pk=call.pk, status__in=LIVE_CALL_STATUSES).update(**fields):
        return False
    call = Call.objects.select_related("lead", "officer").get(pk=call.pk)
    talk = f", {_duration_text(call.duration_seconds)}" if call.duration_seconds else ""
    lead_services.lead_event_record(
        lead=call.lead,
        type="call_completed",
        actor=f"officer:{call.officer.user.get_username()}",
        description=f"Call by {call.officer.name}: {call.get_status_display().lower()}{talk}. {note}",
        data={"call_id": str(call.pk), "status": status, "duration_seconds": call.duration_seconds},
    )
    if status == CallStatus.COMPLETED:
        alerts.thread_mark_answered(lead=call.lead, officer=call.officer)
    signals.call_completed.send(sender=Call, call=call)
    return True


def _duration_text(seconds: int) -> str:
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def whisper_text(call: Call) -> str:
    """E.g. "Maria Lopez, purchase in Texas, pre-approved. Press 1 to connect."."""
    from routing.texts import label

    lead = call.lead
    parts = [lead.full_name or "A borrower"]
    what = label(lead.loan_purpose).lower() if lead.loan_purpose else "a mortgage"
    state = lead.property_state or lead.state
    parts.append(f"{what} in {dict(_state_names()).get(state, state)}" if state else what)
    if lead.preapproved:
        parts.append("pre-approved")
    if lead.timeline:
        parts.append(f"timeline {label(lead.timeline).lower()}")
    return ", ".join(parts) + ". Press 1 to connect."


def _state_names():
    from leads.choices import STATE_CHOICES

    return STATE_CHOICES


def call_incoming(*, from_number: str) -> str | None:
    """A borrower rang the shared number: their officer's mobile when the officer is available
    (so the call is put through), else None; either way the officer hears of it."""
    from leads.choices import CLOSED_STATUSES
    from leads.phones import normalize_phone

    try:
        phone = normalize_phone(from_number, field="From")
    except ApplicationError:
        return None
    lead = (
        Lead.objects.filter(phone=phone)
        .exclude(status__in=CLOSED_STATUSES)
        .select_related("assigned_officer")
        .first()
    )
    if lead is None or lead.assigned_officer is None:
        return None
    now = timezone.now()
    with transaction.atomic():
        lead_services.lead_event_record(
            lead=lead,
            type="call_received",
            actor="borrower",
            description="The borrower called the shared number.",
        )
        alerts.thread_record_inbound(lead=lead, at=now, wants_call=True)
    officer = lead.assigned_officer
    return officer.mobile_phone if officer.mobile_phone and officer.is_available_at(now) else None
