"""The one outbound choke point (send_sms) and the outbox that delivers at most once."""

import logging
import time
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from conversations import signals, texts, windows
from conversations.gateways import GatewayError, SendReceipt, get_gateway
from conversations.gateways.twilio import OPTED_OUT_CODE
from conversations.models import (
    HELD_KINDS,
    OPT_OUT_LINE_KINDS,
    WINDOW_EXEMPT_KINDS,
    Direction,
    Kind,
    Message,
    MessageStatus,
    Sender,
)
from leads import services as lead_services
from leads.models import Lead
from leads.phones import normalize_phone
from mortgage_sms import jobs, rows
from mortgage_sms.privacy import mask_phone_numbers

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    message: Message | None
    blocked_reason: str | None = None

    @property
    def queued(self) -> bool:
        return self.message is not None


# Tasks a borrower is waiting on: the priority lane (mortgage_sms/jobs.py).
PRIORITY_TASKS = {
    "conversations.tasks.handle_inbound",
    "conversations.tasks.take_agent_turn",
    "conversations.tasks.send_first_contact",
}
DELIVER_TASK = "conversations.tasks.deliver_message"
# Run once per lead, their outcome on the lead's timeline: no stored success (jobs.enqueue).
RESULTS_NOT_KEPT = {"conversations.tasks.send_first_contact", DELIVER_TASK}


def _enqueue(task: str, *args, priority: bool | None = None) -> None:
    """Queue a conversations task on commit; by default on the lane its name calls for.
    Sweepers pass priority=False: recovered work is late already and must not crowd out
    what is on time."""
    jobs.enqueue(
        task,
        *args,
        priority=task in PRIORITY_TASKS if priority is None else priority,
        keep_result=task not in RESULTS_NOT_KEPT,
    )


def _is_awaited(kind: str) -> bool:
    """Someone is waiting for this text now: everything but a nurture step."""
    return kind != Kind.NURTURE


# --- Outbound ---------------------------------------------------------------------------------


def send_sms(
    *,
    body: str,
    kind: str,
    sender: str,
    lead: Lead | None = None,
    to: str = "",
    officer=None,
    dedupe_key: str | None = None,
    confirming_opt_out: bool = False,
    now: datetime | None = None,
    lead_locked: bool = False,
    queue_delivery: bool = True,
) -> SendResult:
    """Queue one text, or refuse it (recording why). The only way anything is sent.

    lead_locked: the caller read the lead FOR UPDATE in its transaction, so the lead's consent
    and opt-out fields are current and are not read again.
    queue_delivery=False: the caller hands the text to message_deliver itself once its
    transaction commits (no task queued for it; if the caller dies first, the sweeper queues it)."""
    now = now or timezone.now()
    if lead is None and kind != Kind.SYSTEM:
        raise ValueError("Only staff alerts (kind 'system') go out without a lead.")
    if lead is not None:
        reason = _block_reason(lead, kind, confirming_opt_out, now, lead_locked=lead_locked, sender=sender)
        if reason:
            _record_refusal(lead, kind, body, reason)
            return SendResult(message=None, blocked_reason=reason)
    held = _held_until(lead, kind, now, count_cap=True) if lead is not None and kind in HELD_KINDS else None
    message = Message(
        lead=lead,
        direction=Direction.OUTBOUND,
        sender=sender,
        kind=kind,
        officer=officer,
        to_number=lead.phone if lead else normalize_phone(to),
        body=_with_opt_out_line(body, kind, lead),
        status=MessageStatus.QUEUED,
        dedupe_key=dedupe_key,
        retry_at=held.until if held else None,
        created_at=now,
    )
    batch = _batch.get()
    if batch is not None and not held:
        batch.messages.append(message)  # stored and queued with the others when the batch ends
        return SendResult(message=message)
    try:
        with transaction.atomic():
            rows.insert(message)
    except IntegrityError:
        # Already queued once under this key: the caller is a retry, not a second text.
        return SendResult(message=Message.objects.get(dedupe_key=dedupe_key))
    if held:
        _record_deferral(lead, message, held)
    if queue_delivery:
        _enqueue(DELIVER_TASK, str(message.pk), priority=_is_awaited(kind))
    return SendResult(message=message)


@dataclass
class SmsBatch:
    messages: list[Message] = field(default_factory=list)
    stored: set = field(default_factory=set)  # ids of the texts stored when the batch ended


_batch: ContextVar[SmsBatch | None] = ContextVar("sms_batch", default=None)
# A batch's texts go to the workers in groups: one task per group rather than one per text.
DELIVERY_GROUP = 20
DELIVER_GROUP_TASK = "conversations.tasks.deliver_messages"


@contextmanager
def sms_batch():
    """send_sms calls inside the block decide as ever (every rule, each refusal recorded), but
    the texts they queue are stored together when the block ends, in one INSERT in the caller's
    transaction, and handed to the workers DELIVERY_GROUP at a time. For many texts at once
    (the nurture dispatcher). `batch.stored` then holds the ids of the texts stored: a text
    queued already under its dedupe key (a retry) is not stored twice."""
    batch = SmsBatch()
    token = _batch.set(batch)
    try:
        yield batch
    finally:
        _batch.reset(token)
    batch.stored = _store_batch(batch.messages)
    ids = [str(m.pk) for m in batch.messages if m.pk in batch.stored]
    for start in range(0, len(ids), DELIVERY_GROUP):
        _enqueue(DELIVER_GROUP_TASK, ids[start : start + DELIVERY_GROUP])


def _store_batch(messages: list[Message]) -> set:
    try:
        with transaction.atomic():
            Message.objects.bulk_create(messages)
        return {m.pk for m in messages}
    except IntegrityError:
        pass  # one was queued already under its key: one at a time, skipping it
    stored = set()
    for message in messages:
        try:
            with transaction.atomic():
                message.save(force_insert=True)
            stored.add(message.pk)
        except IntegrityError:
            continue
    return stored


def _block_reason(
    lead: Lead, kind: str, confirming_opt_out: bool, now: datetime, *, lead_locked: bool, sender: str
) -> str | None:
    if not lead_locked:
        lead.refresh_from_db(
            fields=[
                "opted_out_at", "do_not_contact", "sms_consent", "consent_text", "consent_scope",
                "last_inbound_at",
            ]
        )  # fmt: skip
    if confirming_opt_out:
        return None  # the one confirmation that follows STOP
    reason = _consent_block(lead, kind, sender) or (
        "dnc_list" if lead_services.dnc_listed(lead.phone) else None
    )
    if reason in ("no_consent", "no_consent_text") and kind == Kind.COMPLIANCE:
        reason = None  # answering HELP from someone who texted us is not marketing
    if reason or kind in WINDOW_EXEMPT_KINDS or kind in HELD_KINDS:
        return reason  # a reply outside a live conversation is held, not refused
    return windows.block_reason(lead, now)


def _consent_block(lead: Lead, kind: str, sender: str) -> str | None:
    """What the borrower's consent forbids. A borrower who only texted us first consented to
    the conversation (the assistant's answers and its follow-ups on their open question, an
    officer's texts), not to marketing: a nurture text from anyone else is refused."""
    if kind == Kind.NURTURE and sender != Sender.AGENT:
        return lead.marketing_block_reason()
    return lead.contact_block_reason()


def send_refusal(*, lead: Lead, kind: str, sender: str, now: datetime) -> str | None:
    """Why send_sms would refuse this text now, without recording it: for a sweeper that
    would otherwise try (and log a refusal) every few minutes all night."""
    return _block_reason(lead, kind, False, now, lead_locked=False, sender=sender)


@dataclass(frozen=True)
class Hold:
    until: datetime
    reason: str  # outside_contact_window, frequency_cap or paused


# Held texts a cap counts when they are not exempt (windows.CAPPED_KINDS, and a first text where
# the state does not exempt it); a reply answers the borrower and is not counted.
CAP_COUNTED_HELD_KINDS = (Kind.INTRODUCTION, Kind.FIRST_CONTACT)
# While texts are paused there is no known end: look again this often.
PAUSED_RECHECK = timedelta(minutes=15)


def _conversation_live(lead: Lead, at: datetime) -> bool:
    """The borrower texted within REPLY_LIVE_MINUTES before `at`: answering them is not a cold text."""
    live_since = at - timedelta(minutes=settings.REPLY_LIVE_MINUTES)
    return lead.last_inbound_at is not None and lead.last_inbound_at >= live_since


def _held_until(
    lead: Lead, kind: str, now: datetime, *, asked_at: datetime | None = None, count_cap: bool = False
) -> Hold | None:
    """When a text must wait: never when the borrower's state exempts it (a first text, or a
    reply while the borrower is texting, who asked at `asked_at`, by default now), else while
    texts are paused or the borrower's window is shut.

    count_cap: the text is about to be queued, and if it is one a state's cap counts (an
    introduction, a first text the state does not exempt) it also waits for the cap to free.
    Once queued it counts itself, so delivery checks only the window."""
    window = windows.window_for(lead)
    if windows.exempt_from_window(window, kind, live=_conversation_live(lead, asked_at or now)):
        return None
    if window.paused:
        return Hold(until=now + PAUSED_RECHECK, reason="paused")
    opening = windows.next_opening(lead, now)
    if count_cap and window.max_per_24h is not None and kind in CAP_COUNTED_HELD_KINDS:
        allowed = windows.next_allowed(lead, now)
        if allowed is not None and allowed > opening:
            return Hold(until=allowed, reason="frequency_cap")
    return Hold(until=opening, reason="outside_contact_window") if opening > now else None


def _record_deferral(lead: Lead, message: Message, held: Hold) -> None:
    local = held.until.astimezone(windows.borrower_timezone(lead))
    why = {
        "paused": "texts are paused",
        "frequency_cap": "the state's cap on texts in 24 hours",
    }.get(held.reason, "outside the borrower's contact window")
    lead_services.lead_event_record(
        lead=lead,
        type="sms_deferred",
        description=f"Held until {local:%Y-%m-%d %H:%M %Z} ({why}): {message.body[:160]}",
        data={
            "reason": held.reason,
            "until": held.until.isoformat(),
            "kind": message.kind,
            "message_id": str(message.pk),
        },
    )


# Refusals whose short name does not say enough on the timeline.
REFUSAL_WORDS = {
    "conversation_only": "conversation only: the borrower texted us first and gave no written "
    "consent to marketing texts",
}


def _record_refusal(lead: Lead, kind: str, body: str, reason: str) -> None:
    lead_services.lead_event_record(
        lead=lead,
        type="sms_blocked",
        description=f"Not sent ({REFUSAL_WORDS.get(reason, reason.replace('_', ' '))}): {body[:160]}",
        data={"reason": reason, "kind": kind, "body": body},
    )


def _with_opt_out_line(body: str, kind: str, lead: Lead | None) -> str:
    if kind not in OPT_OUT_LINE_KINDS or "STOP" in body:
        return body
    language = lead.language if lead else "en"
    return f"{body} {texts.OPT_OUT_LINE.get(language, texts.OPT_OUT_LINE['en'])}"


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/status/"


def message_deliver(*, message_id, stored: Message | None = None) -> str:
    """Hand a queued text to the gateway once. Returns the status it ends in.

    stored: the text as its caller stored it a moment ago, never claimed (attempts 0), with
    its lead: it is not read back. Only the claim decides who sends it, as ever."""
    now = timezone.now()
    if not _claimed(message_id, now):
        return "skipped"  # another worker has it, or it is not due
    if stored is not None and stored.pk == message_id and stored.attempts == 0:
        message = stored  # the claim's changes, as the row now holds them
        message.status, message.sending_started_at, message.attempts = MessageStatus.SENDING, now, 1
    else:
        message = Message.objects.select_related("lead").get(pk=message_id)
    with _lead_state_held_steady(message.lead_id) as lead_state:
        late_block = _late_block_reason(message, lead_state)
        if late_block:
            return _finish_failed(message, code=late_block, error="Not sent: " + late_block)
        held = (
            _held_until(message.lead, message.kind, now, asked_at=message.created_at)
            if message.lead
            else None
        )
        if held:
            return _defer(message, until=held.until)
        receipt, failure, duration = _call_gateway(message)
    if failure:
        return _handle_gateway_error(message, failure, duration=duration)
    return _finish_sent(message, receipt, duration=duration)


def _claimed(message_id, now: datetime) -> bool:
    """Queued and due -> sending, in one statement: of two workers handed the same text, one
    gets it. Plain SQL: on every text, and the ORM's building of it cost more than running it."""
    prepare = {name: Message._meta.get_field(name).get_db_prep_value for name in ("id", "sending_started_at")}
    at = prepare["sending_started_at"](now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Message._meta.db_table} SET status = %s, sending_started_at = %s, attempts = attempts + 1"
            " WHERE id = %s AND status = %s AND (retry_at IS NULL OR retry_at <= %s)",
            [MessageStatus.SENDING, at, prepare["id"](message_id, connection), MessageStatus.QUEUED, at],
        )
        return cursor.rowcount == 1


# A group's texts are handed over one after another; what is left after this long goes back to
# the queue as a group of its own, so a slow carrier never holds a task near its timeout.
GROUP_BUDGET_SECONDS = 20


def messages_deliver(*, message_ids: list) -> dict:
    """message_deliver for each text of a group. Returns how many ended in each status."""
    started, statuses = time.monotonic(), Counter()
    for index, message_id in enumerate(message_ids):
        if index and time.monotonic() - started > GROUP_BUDGET_SECONDS:  # one at least, always
            _enqueue(DELIVER_GROUP_TASK, list(message_ids[index:]))
            statuses["requeued"] = len(message_ids) - index
            break
        statuses[message_deliver(message_id=message_id)] += 1
    return dict(statuses)


def _gateway_timeout(message: Message) -> float:
    """Short on the first attempt of an awaited text: a slow carrier must not hold up the
    priority lane (a retry runs on the default lane, with the longer timeout)."""
    if message.attempts == 1 and _is_awaited(message.kind):
        return settings.SMS_FIRST_ATTEMPT_TIMEOUT_SECONDS
    return settings.SMS_GATEWAY_TIMEOUT_SECONDS


def _call_gateway(message: Message) -> tuple[SendReceipt | None, GatewayError | None, float]:
    started = time.monotonic()
    try:
        receipt = get_gateway().send(
            to=message.to_number,
            body=message.body,
            status_callback=status_callback_url(),
            timeout=_gateway_timeout(message),
        )
    except GatewayError as error:
        return None, error, time.monotonic() - started
    return receipt, None, time.monotonic() - started


@dataclass(frozen=True)
class LeadState:
    opted_out_at: datetime | None
    do_not_contact: bool


@contextmanager
def _lead_state_held_steady(lead_id):
    """The lead's opt-out and do-not-contact state, read from the database right before the
    gateway call and, on PostgreSQL, held until the call returns.

    The row is read FOR KEY SHARE, which only FOR UPDATE waits for: an opt-out or a
    do-not-contact (leads.services lock the lead FOR UPDATE) stored while a text is being
    handed over waits for the hand-over, and a text checked after it sees it. So no text
    reaches the carrier after a STOP is stored. Other writes to the lead do not wait. SQLite
    has no row locks: there the read is as late as it can be, a moment before the call."""
    if lead_id is None:
        yield None
        return
    if connection.vendor != "postgresql":
        yield LeadState(**Lead.objects.values("opted_out_at", "do_not_contact").get(pk=lead_id))
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT opted_out_at, do_not_contact FROM {Lead._meta.db_table} WHERE id = %s FOR KEY SHARE",
            [lead_id],
        )
        opted_out_at, do_not_contact = cursor.fetchone()
        yield LeadState(opted_out_at=opted_out_at, do_not_contact=do_not_contact)


def _late_block_reason(message: Message, lead: LeadState | None) -> str | None:
    """An opt-out or do-not-contact stored while the text waited in the queue.

    After an opt-out send_sms queues one text only, its confirmation: a text queued after the
    opt-out is that confirmation, any text queued before it (a nurture step, a HELP answer,
    an earlier START's confirmation) is stopped."""
    if lead is None:
        return None
    if lead.opted_out_at and message.kind == Kind.COMPLIANCE and message.created_at >= lead.opted_out_at:
        return None
    if lead.do_not_contact:
        return "do_not_contact"
    if lead.opted_out_at:
        return "opted_out"
    if lead_services.dnc_listed(message.to_number):
        return "dnc_list"
    return None


def _defer(message: Message, *, until: datetime) -> str:
    """Back to the queue until the window opens; waiting is not a failed attempt."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED, retry_at=until, attempts=F("attempts") - 1
    )
    return MessageStatus.QUEUED


def _finish_sent(message: Message, receipt, *, duration: float) -> str:
    sent = dict(
        status=MessageStatus.SENT,
        provider_sid=receipt.provider_sid,
        from_number=receipt.from_number,
        sent_at=timezone.now(),
        duration_ms=int(duration * 1000),
        error_code="",
        error_message="",
    )
    rows.update(Message, sent, pk=message.pk, status=MessageStatus.SENDING)
    if message.lead_id:
        lead_services.lead_record_outbound(lead_id=message.lead_id, at=sent["sent_at"])
    for name, value in sent.items():  # the row as now stored, without reading it back
        setattr(message, name, value)
    signals.message_sent.send(sender=Message, message=message)
    return MessageStatus.SENT


def _handle_gateway_error(message: Message, error: GatewayError, *, duration: float) -> str:
    logger.warning("SMS %s failed (%s): %s", message.pk, error.code, mask_phone_numbers(error.message))
    if error.maybe_sent:
        return _finish_unknown(message, error=error.message, timeout=_gateway_timeout(message))
    if error.permanent or message.attempts >= settings.SMS_MAX_ATTEMPTS:
        status = _finish_failed(message, code=error.code, error=error.message)
        if error.code == OPTED_OUT_CODE and message.lead:
            lead_services.lead_opt_out(
                lead=message.lead, words="(carrier: recipient replied STOP, Twilio 21610)", actor="twilio"
            )
        return status
    retry_at = timezone.now() + _retry_delay(message.attempts, error.retry_after)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
            status=MessageStatus.QUEUED,
            retry_at=retry_at,
            error_code=error.code,
            error_message=error.message,
            duration_ms=int(duration * 1000),
        )
        # On time to the second, on the default lane; the sweeper is the safety net.
        jobs.enqueue_at(DELIVER_TASK, str(message.pk), at=retry_at)
    return MessageStatus.QUEUED


# Twilio's Retry-After is honoured up to this long; past it the text is retried at this distance.
RETRY_AFTER_CAP = timedelta(hours=1)


def _retry_delay(attempts: int, retry_after: float | None) -> timedelta:
    """Exponential backoff (SMS_RETRY_BASE_SECONDS x4 per attempt), or what the carrier asked
    for with Retry-After (a 429)."""
    if retry_after is not None:
        return min(timedelta(seconds=retry_after), RETRY_AFTER_CAP)
    return timedelta(seconds=settings.SMS_RETRY_BASE_SECONDS * 4 ** (attempts - 1))


def _finish_failed(message: Message, *, code: str, error: str) -> str:
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.FAILED, error_code=code, error_message=error
    )
    if message.lead_id:
        lead_services.lead_event_record(
            lead=message.lead,
            type="sms_failed",
            description=f"Text failed ({code}): {error}",
            data={"message_id": str(message.pk), "code": code},
        )
    return MessageStatus.FAILED


def _finish_unknown(message: Message, *, error: str, timeout: float) -> str:
    """The gateway may have sent it: at most once means a person decides, not a retry."""
    updated = Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.UNKNOWN, error_message=error
    )
    if updated and message.lead_id:
        _record_unknown(
            message,
            why=f"Twilio did not answer within {timeout:g} s of taking the request",
            cause="gateway_timeout",
        )
    return MessageStatus.UNKNOWN


def _record_unknown(message: Message, *, why: str, cause: str) -> None:
    lead_services.lead_event_record(
        lead=message.lead,
        type="sms_unknown",
        description=(
            f"{why}: the text may have gone out. It is not sent again (never a double text); "
            f"check Twilio's message log. {message.body[:160]}"
        ),
        data={"message_id": str(message.pk), "cause": cause},
    )


def outbox_sweep(*, now: datetime | None = None) -> dict:
    """Mark texts stuck mid-send `unknown`; queue again the ones whose task was lost or due."""
    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=settings.SMS_SENDING_STUCK_AFTER_SECONDS)
    stuck = Message.objects.filter(status=MessageStatus.SENDING, sending_started_at__lt=stuck_before)
    unknown = sum(_give_up_on_stuck(message) for message in stuck.select_related("lead")[:SWEEP_BATCH])
    lost_before = now - timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    due = Message.objects.filter(status=MessageStatus.QUEUED).filter(
        Q(retry_at__lte=now) | Q(retry_at__isnull=True, created_at__lt=lost_before)
    )
    ids = list(due.values_list("pk", flat=True)[:SWEEP_BATCH])
    for message_id in ids:
        _enqueue(DELIVER_TASK, str(message_id), priority=False)
    return {"unknown": unknown, "requeued": len(ids)}


SWEEP_BATCH = 500


def _give_up_on_stuck(message: Message) -> bool:
    if not Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.UNKNOWN, error_message="The worker stopped mid-send; not retried."
    ):
        return False
    if message.lead_id:
        _record_unknown(
            message, why="The worker stopped while handing the text to Twilio", cause="worker_stopped"
        )
    return True


# How far along a text is: a late or repeated status callback never moves it back.
STATUS_ORDER = {
    MessageStatus.QUEUED: 0,
    MessageStatus.SENDING: 1,
    MessageStatus.SENT: 2,
    MessageStatus.UNKNOWN: 2,
    MessageStatus.DELIVERED: 3,
    MessageStatus.UNDELIVERED: 3,
    MessageStatus.FAILED: 3,
}
TWILIO_STATUSES = {
    "sent": MessageStatus.SENT,
    "delivered": MessageStatus.DELIVERED,
    "undelivered": MessageStatus.UNDELIVERED,
    "failed": MessageStatus.FAILED,
}


def message_status_update(*, provider_sid: str, status: str, error_code: str = "") -> bool:
    """Apply a status callback; callbacks arrive late, twice or out of order."""
    new = TWILIO_STATUSES.get(status)
    message = Message.objects.filter(provider_sid=provider_sid, direction=Direction.OUTBOUND).first()
    if new is None or message is None or STATUS_ORDER[message.status] >= STATUS_ORDER[new]:
        return False
    changes = {"status": new}
    if new == MessageStatus.DELIVERED:
        changes["delivered_at"] = timezone.now()
    if error_code:
        changes["error_code"] = error_code
    updated = Message.objects.filter(pk=message.pk, status=message.status).update(**changes)
    if updated and error_code == OPTED_OUT_CODE and message.lead:
        lead_services.lead_opt_out(
            lead=message.lead, words="(carrier: recipient replied STOP, Twilio 21610)", actor="twilio"
        )
    return bool(updated)
