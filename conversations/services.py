"""The conversation: the one outbound choke point (send_sms), the outbox, inbound texts."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from conversations import keywords, qualification, signals, texts, windows
from conversations.gateways import GatewayError, get_gateway
from conversations.gateways.twilio import OPTED_OUT_CODE
from conversations.models import (
    LIVE_EXEMPT_KINDS,
    OPT_OUT_LINE_KINDS,
    WINDOW_EXEMPT_KINDS,
    AgentTurn,
    Direction,
    Kind,
    LLMCall,
    Message,
    MessageStatus,
    Sender,
    TurnOutcome,
)
from conversations.qualification import AgentInput, Intent, Turn, TurnResult, flow
from conversations.qualification.language import language_for
from conversations.redaction import redact
from leads import services as lead_services
from leads.choices import CLOSED_STATUSES, QUALIFICATION_FIELDS, LeadStatus, Source
from leads.models import Inquiry, Lead
from leads.phones import normalize_phone
from mortgage_sms.errors import ApplicationError

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SendResult:
    message: Message | None
    blocked_reason: str | None = None

    @property
    def queued(self) -> bool:
        return self.message is not None


def _enqueue(task: str, *args) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(task, *args, group=task.rsplit(".", 1)[-1]))


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
) -> SendResult:
    """Queue one text, or refuse it (recording why). The only way anything is sent."""
    now = now or timezone.now()
    if lead is None and kind != Kind.SYSTEM:
        raise ValueError("Only staff alerts (kind 'system') go out without a lead.")
    if lead is not None:
        reason = _block_reason(lead, kind, confirming_opt_out, now)
        if reason:
            _record_refusal(lead, kind, body, reason)
            return SendResult(message=None, blocked_reason=reason)
    held = _held_until(lead, kind, now) if lead is not None and kind in LIVE_EXEMPT_KINDS else None
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
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Already queued once under this key: the caller is a retry, not a second text.
        return SendResult(message=Message.objects.get(dedupe_key=dedupe_key))
    if held:
        _record_deferral(lead, message, held)
    _enqueue("conversations.tasks.deliver_message", str(message.pk))
    return SendResult(message=message)


def _block_reason(lead: Lead, kind: str, confirming_opt_out: bool, now: datetime) -> str | None:
    lead.refresh_from_db(fields=["opted_out_at", "do_not_contact", "sms_consent", "last_inbound_at"])
    if confirming_opt_out:
        return None  # the one confirmation that follows STOP
    reason = lead.contact_block_reason()
    if reason == "no_consent" and kind == Kind.COMPLIANCE:
        reason = None  # answering HELP from someone who texted us is not marketing
    if reason or kind in WINDOW_EXEMPT_KINDS or kind in LIVE_EXEMPT_KINDS:
        return reason  # a reply outside a live conversation is held, not refused
    return windows.block_reason(lead, now)


@dataclass(frozen=True)
class Hold:
    until: datetime
    reason: str  # outside_contact_window or paused


# While texts are paused there is no known end: look again this often.
PAUSED_RECHECK = timedelta(minutes=15)


def _conversation_live(lead: Lead, at: datetime) -> bool:
    """The borrower texted within REPLY_LIVE_MINUTES before `at`: answering them is not a cold text."""
    live_since = at - timedelta(minutes=settings.REPLY_LIVE_MINUTES)
    return lead.last_inbound_at is not None and lead.last_inbound_at >= live_since


def _held_until(lead: Lead, kind: str, now: datetime, *, asked_at: datetime | None = None) -> Hold | None:
    """When a text must wait: never for a live reply (the borrower asked at `asked_at`, by
    default now), else while texts are paused or the borrower's window is shut."""
    if kind in WINDOW_EXEMPT_KINDS or (
        kind in LIVE_EXEMPT_KINDS and _conversation_live(lead, asked_at or now)
    ):
        return None
    if windows.window_for(lead).paused:
        return Hold(until=now + PAUSED_RECHECK, reason="paused")
    opening = windows.next_opening(lead, now)
    return Hold(until=opening, reason="outside_contact_window") if opening > now else None


def _record_deferral(lead: Lead, message: Message, held: Hold) -> None:
    local = held.until.astimezone(windows.borrower_timezone(lead))
    why = "texts are paused" if held.reason == "paused" else "outside the borrower's contact window"
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


def _record_refusal(lead: Lead, kind: str, body: str, reason: str) -> None:
    lead_services.lead_event_record(
        lead=lead,
        type="sms_blocked",
        description=f"Not sent ({reason.replace('_', ' ')}): {body[:160]}",
        data={"reason": reason, "kind": kind, "body": body},
    )


def _with_opt_out_line(body: str, kind: str, lead: Lead | None) -> str:
    if kind not in OPT_OUT_LINE_KINDS or "STOP" in body:
        return body
    language = lead.language if lead else "en"
    return f"{body} {texts.OPT_OUT_LINE.get(language, texts.OPT_OUT_LINE['en'])}"


def status_callback_url() -> str:
    return f"{settings.PUBLIC_BASE_URL}/webhooks/twilio/status/"


def message_deliver(*, message_id) -> str:
    """Hand a queued text to the gateway once. Returns the status it ends in."""
    now = timezone.now()
    claimed = (
        Message.objects.filter(pk=message_id, status=MessageStatus.QUEUED)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .update(status=MessageStatus.SENDING, sending_started_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return "skipped"  # another worker has it, or it is not due
    message = Message.objects.select_related("lead").get(pk=message_id)
    late_block = _late_block_reason(message)
    if late_block:
        return _finish_failed(message, code=late_block, error="Not sent: " + late_block)
    held = _held_until(message.lead, message.kind, now, asked_at=message.created_at) if message.lead else None
    if held:
        return _defer(message, until=held.until)
    started = time.monotonic()
    try:
        receipt = get_gateway().send(
            to=message.to_number, body=message.body, status_callback=status_callback_url()
        )
    except GatewayError as error:
        return _handle_gateway_error(message, error, duration=time.monotonic() - started)
    return _finish_sent(message, receipt, duration=time.monotonic() - started)


def _late_block_reason(message: Message) -> str | None:
    """An opt-out or do-not-contact that arrived while the text waited in the queue."""
    lead = message.lead
    if lead is None or message.kind == Kind.COMPLIANCE:
        return None
    if lead.do_not_contact:
        return "do_not_contact"
    if lead.opted_out_at:
        return "opted_out"
    return None


def _defer(message: Message, *, until: datetime) -> str:
    """Back to the queue until the window opens; waiting is not a failed attempt."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED, retry_at=until, attempts=F("attempts") - 1
    )
    return MessageStatus.QUEUED


def _finish_sent(message: Message, receipt, *, duration: float) -> str:
    now = timezone.now()
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.SENT,
        provider_sid=receipt.provider_sid,
        from_number=receipt.from_number,
        sent_at=now,
        duration_ms=int(duration * 1000),
        error_code="",
        error_message="",
    )
    if message.lead_id:
        lead_services.lead_record_outbound(lead_id=message.lead_id, at=now)
    message.refresh_from_db()
    signals.message_sent.send(sender=Message, message=message)
    return MessageStatus.SENT


def _handle_gateway_error(message: Message, error: GatewayError, *, duration: float) -> str:
    logger.warning("SMS %s failed (%s): %s", message.pk, error.code, error.message)
    if error.maybe_sent:
        return _finish_unknown(message, error=error.message)
    if error.permanent or message.attempts >= settings.SMS_MAX_ATTEMPTS:
        status = _finish_failed(message, code=error.code, error=error.message)
        if error.code == OPTED_OUT_CODE and message.lead:
            lead_services.lead_opt_out(
                lead=message.lead, words="(carrier: recipient replied STOP, Twilio 21610)", actor="twilio"
            )
        return status
    backoff = settings.SMS_RETRY_BASE_SECONDS * 4 ** (message.attempts - 1)
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.QUEUED,
        retry_at=timezone.now() + timedelta(seconds=backoff),
        error_code=error.code,
        error_message=error.message,
        duration_ms=int(duration * 1000),
    )
    return MessageStatus.QUEUED


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


def _finish_unknown(message: Message, *, error: str) -> str:
    """The gateway may have sent it: at most once means a person decides, not a retry."""
    Message.objects.filter(pk=message.pk, status=MessageStatus.SENDING).update(
        status=MessageStatus.UNKNOWN, error_message=error
    )
    return MessageStatus.UNKNOWN


def outbox_sweep(*, now: datetime | None = None) -> dict:
    """Mark texts stuck mid-send `unknown`; queue again the ones whose task was lost or due."""
    now = now or timezone.now()
    stuck_before = now - timedelta(seconds=settings.SMS_SENDING_STUCK_AFTER_SECONDS)
    unknown = Message.objects.filter(
        status=MessageStatus.SENDING, sending_started_at__lt=stuck_before
    ).update(status=MessageStatus.UNKNOWN, error_message="Worker stopped mid-send; not retried.")
    due = Message.objects.filter(status=MessageStatus.QUEUED).filter(
        Q(retry_at__lte=now) | Q(retry_at__isnull=True, created_at__lt=now - timedelta(minutes=1))
    )
    ids = list(due.values_list("pk", flat=True)[:500])
    for message_id in ids:
        _enqueue("conversations.tasks.deliver_message", str(message_id))
    return {"unknown": unknown, "requeued": len(ids)}


# The sweeper looks this far back for lost work (an index-friendly bound on its scan), and
# takes at most this many of each kind per run.
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


def first_contact_send(*, lead_id, inquiry_id: int) -> SendResult | None:
    """Greet the borrower; a repeat inquiry is greeted only after a quiet day."""
    lead = Lead.objects.get(pk=lead_id)
    dedupe_key = f"first_contact:{inquiry_id}"
    already_queued = Message.objects.filter(dedupe_key=dedupe_key).first()
    # A second run of this task finds its text and decides nothing again.
    result = SendResult(message=already_queued) if already_queued else _greet(lead, inquiry_id, dedupe_key)
    if result and result.queued and lead.status == LeadStatus.NEW:
        lead_services.lead_set_status(lead=lead, status=LeadStatus.CONTACTED, actor="system")
    return result


def _greet(lead: Lead, inquiry_id: int, dedupe_key: str) -> SendResult | None:
    last_greeting = Message.objects.filter(lead=lead, kind=Kind.FIRST_CONTACT).order_by("-created_at").first()
    repeat = lead.first_contact_at is not None or lead.inquiries.count() > 1
    if repeat and not _greet_again(lead, last_greeting):
        lead_services.lead_event_record(
            lead=lead,
            type="first_contact_skipped",
            description="Repeat inquiry: the borrower was texted recently or is with an officer.",
            data={"inquiry_id": inquiry_id},
        )
        return None
    return send_sms(
        lead=lead,
        # "here again" only to someone we greeted: a first inquiry without consent was not.
        body=texts.first_contact_text(lead, again=last_greeting is not None),
        kind=Kind.FIRST_CONTACT,
        sender=Sender.AGENT,
        dedupe_key=dedupe_key,
    )


def _greet_again(lead: Lead, last_greeting: Message | None) -> bool:
    if lead.status not in REPEAT_GREETING_STATUSES:
        return False
    quiet_after = timedelta(hours=settings.FIRST_CONTACT_REPEAT_AFTER_HOURS)
    return last_greeting is None or last_greeting.created_at < timezone.now() - quiet_after


# --- Inbound ----------------------------------------------------------------------------------


def inbound_receive(
    *, from_number: str, to_number: str, body: str, provider_sid: str
) -> tuple[Message, bool]:
    """Store a borrower's text (before anything else can fail) and queue its handling.

    Returns the message and whether it is new: Twilio retries, and a retry is a no-op."""
    existing = Message.objects.filter(provider_sid=provider_sid).first()
    if existing:
        # Its task may never have reached the broker (and the text may be a STOP): queue it
        # again. The task claims the text, so a second one for a handled text is a no-op.
        if existing.processed_at is None:
            _enqueue("conversations.tasks.handle_inbound", str(existing.pk))
        return existing, False
    phone = _placeable_phone(from_number)
    clean_body, redacted = redact(body or "")
    try:
        with transaction.atomic():
            # The MessageSid is claimed first: a concurrent retry of the same webhook stops
            # here, before it touches any lead, so the two never wait on each other.
            message = Message.objects.create(
                direction=Direction.INBOUND,
                sender=Sender.BORROWER,
                kind=Kind.INBOUND,
                to_number=to_number,
                from_number=phone or from_number.strip()[:20],
                body=clean_body,
                status=MessageStatus.RECEIVED,
                provider_sid=provider_sid,
                redacted=redacted,
            )
            if phone:
                message.lead = _lead_for_inbound(phone, clean_body)
                message.save(update_fields=["lead", "updated_at"])
            _enqueue("conversations.tasks.handle_inbound", str(message.pk))
    except IntegrityError:
        return Message.objects.get(provider_sid=provider_sid), False
    return message, True


def _placeable_phone(from_number: str) -> str | None:
    """The sender as E.164 when it is a US number a lead can have; None for the rest
    (abroad, short codes): their text is kept for ops to see, with no lead to act on."""
    if not (from_number or "").strip():
        raise ApplicationError("From is required.", field="From")
    try:
        return normalize_phone(from_number, field="From")
    except ApplicationError:
        logger.warning("Inbound text from %r, outside the US numbering plan: stored, no lead.", from_number)
        return None


def _lead_for_inbound(phone: str, body: str) -> Lead | None:
    lead = Lead.objects.filter(phone=phone).exclude(status__in=CLOSED_STATUSES).first()
    if lead is None:
        lead = Lead.objects.filter(phone=phone).order_by("-created_at").first()
    if lead is not None:
        return lead
    if _is_staff(phone):
        # An officer answering a lead alert: kept for ops to see, never a lead, never answered.
        logger.info("Inbound text from %s, a staff number (it gets our alerts): stored, no lead.", phone)
        return None
    # Someone texted our number first: they asked to hear from us, about what they asked.
    return lead_services.lead_intake(
        phone=phone,
        submitted_by=INBOUND_SMS_SUBMITTER,
        source=Source.ORGANIC,
        source_detail="Texted our number first",
        sms_consent=keywords.classify(body) is None,
        consent_text=f"Borrower texted our number first: {body[:300]!r}",
        payload={"first_text": body},
    ).lead


def _is_staff(phone: str) -> bool:
    """A number with no lead that we send staff alerts to belongs to a member of staff."""
    return Message.objects.filter(
        lead__isnull=True, direction=Direction.OUTBOUND, kind=Kind.SYSTEM, to_number=phone
    ).exists()


def inbound_handle(*, message_id) -> str:
    """Act on a borrower's text once: keywords first, then the conversation.

    One transaction: if anything fails, the claim is undone with the rest and the task's
    retry handles the text again (replies are queued on commit, so none goes out twice).
    A borrower's STOP must never be lost to a crash after the claim."""
    with transaction.atomic():
        now = timezone.now()
        if not Message.objects.filter(pk=message_id, processed_at__isnull=True).update(processed_at=now):
            return "already handled"
        message = Message.objects.select_related("lead").get(pk=message_id)
        if message.lead is None:
            return "no lead: staff, or a sender outside the US numbering plan"
        return _act_on_inbound(message.lead, message)


def _act_on_inbound(lead: Lead, message: Message) -> str:
    lead_services.lead_record_inbound(lead_id=lead.pk, at=message.created_at)
    keyword = keywords.classify(message.body)
    if keyword == keywords.Keyword.OPT_OUT:
        return _handle_opt_out(lead, message)
    if keyword == keywords.Keyword.OPT_IN and lead.opted_out_at:
        return _handle_opt_in(lead, message)
    if lead.opted_out_at:
        return "ignored: opted out"  # stored and visible; nothing is sent until START
    if keyword == keywords.Keyword.OPT_IN and not keywords.is_answer(message.body):
        return "already subscribed"  # a second START is not a reply to the assistant
    if keyword == keywords.Keyword.HELP:
        _reply(lead, texts.text("help", lead.language), kind=Kind.COMPLIANCE, key=f"help:{message.pk}")
        return "help"
    signals.inbound_message.send(sender=Message, lead=lead, message=message)
    return "conversation"


def _handle_opt_out(lead: Lead, message: Message) -> str:
    if not lead_services.lead_opt_out(lead=lead, words=message.body):
        return "already opted out"
    send_sms(
        lead=lead,
        body=texts.text("opt_out_confirmation", lead.language),
        kind=Kind.COMPLIANCE,
        sender=Sender.SYSTEM,
        dedupe_key=f"opt_out_confirmation:{message.pk}",
        confirming_opt_out=True,
    )
    return "opted out"


def _handle_opt_in(lead: Lead, message: Message) -> str:
    lead_services.lead_opt_in(lead=lead, words=message.body)
    _reply(
        lead,
        texts.text("opt_in_confirmation", lead.language),
        kind=Kind.COMPLIANCE,
        key=f"opt_in:{message.pk}",
    )
    return "opted in"


def _reply(lead: Lead, body: str, *, kind: str, key: str) -> SendResult:
    return send_sms(lead=lead, body=body, kind=kind, sender=Sender.SYSTEM, dedupe_key=key)


# --- The conversation: the qualification agent's turns --------------------------------------

# Statuses in which a borrower's reply means "we are talking": the assistant's turn.
CONVERSATION_STATUSES = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.NURTURING,
    LeadStatus.UNRESPONSIVE,
)
# Qualified, waiting for an officer: the assistant answers but asks nothing more.
# With an officer (or about to be): the assistant answers questions but asks nothing more.
WAITING_STATUSES = (LeadStatus.QUALIFIED, LeadStatus.OFFERED, LeadStatus.CLAIMED)
AGENT_STATUSES = (*CONVERSATION_STATUSES, LeadStatus.QUALIFYING, *WAITING_STATUSES)
HISTORY_MESSAGES = 20
READABLE_REASONS = {
    "call_requested": "The borrower asked for a call.",
    "person_requested": "The borrower asked to talk to a person.",
    "upset": "The borrower seems upset.",
    "confused": "The borrower seems confused.",
    "rates": "The borrower asked about rates and wants a loan officer.",
    "wrong_number": "Wrong number.",
    "did_not_ask": "The person says they never asked to hear from us.",
    "not_a_borrower": "Not a borrower (testing the form).",
    "not_mortgage": "Asked for something other than a home loan.",
    "not ready": "The borrower is not ready yet.",
    "timeline": "The borrower plans to move 6+ months from now.",
}


def conversation_schedule(*, message: Message) -> None:
    """The assistant answers in a task of its own, after the inbound text is committed:
    an LLM call of several seconds must not hold the inbound transaction open."""
    _enqueue("conversations.tasks.take_agent_turn", str(message.pk))


def conversation_continue_by_id(*, message_id) -> AgentTurn | None:
    message = Message.objects.select_related("lead").get(pk=message_id)
    return conversation_continue(lead=message.lead, message=message)


def conversation_continue(*, lead: Lead, message: Message) -> AgentTurn | None:
    """A borrower replied: the assistant's turn, unless a person has taken over."""
    lead.refresh_from_db()
    if lead.ai_paused or lead.status not in AGENT_STATUSES:
        return None  # an officer is talking, or the conversation is over: stay quiet
    turn = AgentTurn.objects.filter(message=message).first()
    if turn and turn.outcome != TurnOutcome.STARTED:
        return turn  # answered already; its reply went out under the message's dedupe key
    previous = AgentTurn.objects.filter(lead=lead).exclude(message=message).order_by("-created_at").first()
    reentry = (
        lead.status in CONVERSATION_STATUSES and previous is not None and bool(previous.state.get("ended"))
    )
    _enter_qualification(lead, message)
    agent_input = _agent_input(lead, message, previous, reentry=reentry)
    # Record before the agent (and any LLM) runs: a worker that dies leaves a `started` row.
    turn = turn or AgentTurn.objects.create(lead=lead, message=message, backend=settings.AI_BACKEND)
    started = time.monotonic()
    result = qualification.take_turn(agent_input, backend=settings.AI_BACKEND, recorder=LLMCallRecorder(turn))
    with transaction.atomic():
        _apply_turn(lead, turn, message, result, duration=time.monotonic() - started)
    return turn


def _enter_qualification(lead: Lead, message: Message) -> None:
    lead_services.lead_set_language(lead=lead, language=language_for(message.body, lead.language))
    if lead.status in CONVERSATION_STATUSES:
        lead_services.lead_set_status(
            lead=lead, status=LeadStatus.QUALIFYING, actor="borrower", reason="The borrower replied."
        )


def _agent_input(lead: Lead, message: Message, previous: AgentTurn | None, *, reentry: bool) -> AgentInput:
    known = {f: getattr(lead, f) for f in QUALIFICATION_FIELDS}
    if previous is None:
        state = flow.initial_state(_first_contact_body(lead, before=message))
    else:
        state = flow.reentry_state(known) if reentry else previous.state
    thread = lead.messages.filter(created_at__lte=message.created_at).order_by("-created_at")
    history = [(m.sender, m.body) for m in reversed(thread[:HISTORY_MESSAGES])]
    return AgentInput(
        message=message.body,
        known=known,
        state=state,
        language=lead.language,
        first_name=lead.first_name,
        lead_state=lead.state,
        texted_first=lead.inquiries.filter(submitted_by=INBOUND_SMS_SUBMITTER).exists(),
        history=tuple(history),
        waiting=lead.status in WAITING_STATUSES or state.get("ended") in (Intent.QUALIFIED, Intent.HANDOFF),
        now=timezone.localtime(),
    )


def _first_contact_body(lead: Lead, *, before: Message) -> str | None:
    greeting = (
        lead.messages.filter(kind=Kind.FIRST_CONTACT, created_at__lte=before.created_at)
        .order_by("-created_at")
        .first()
    )
    return greeting.body if greeting else None


class LLMCallRecorder:
    """Saves each LLM request as a row before it is made, and its outcome after."""

    def __init__(self, turn: AgentTurn):
        self.turn = turn

    def start(self, *, provider: str, model: str) -> LLMCall:
        return LLMCall.objects.create(turn=self.turn, provider=provider, model=model)

    def finish(self, call: LLMCall, *, outcome: str, **details) -> None:
        for name, value in details.items():
            setattr(call, name, value)
        call.outcome = outcome
        call.finished_at = timezone.now()
        call.save()


def _apply_turn(
    lead: Lead, turn: AgentTurn, message: Message, result: TurnResult, *, duration: float
) -> None:
    if result.turn.updates:
        lead_services.lead_update_qualification(
            lead=lead, changes=result.turn.updates, actor=f"agent:{result.answered_by}"
        )
    if result.fallback_reason:
        _record_fallback(lead, turn, result)
    sent = _send_turn_reply(lead, message, result.turn)
    _finish_turn(turn, result, reply=sent.message, duration=duration)
    _conclude(lead, turn, result.turn)


# A wrong number, or someone who never asked: the borrower revoked consent, so the lead is
# opted out (not merely closed: a later inquiry from the number must not be texted).
REVOKING_REASONS = ("wrong_number", "did_not_ask")


def _send_turn_reply(lead: Lead, message: Message, agent_turn: Turn) -> SendResult:
    if not (agent_turn.intent == Intent.DISQUALIFIED and agent_turn.reason in REVOKING_REASONS):
        return send_sms(
            lead=lead,
            body=agent_turn.reply,
            kind=Kind.REPLY,
            sender=Sender.AGENT,
            dedupe_key=f"reply:{message.pk}",
        )
    # The assistant's closing text is the one confirmation: a compliance text, so the opt-out
    # recorded first does not hold it back, and no second "you are unsubscribed" follows.
    first_time = lead_services.lead_opt_out(lead=lead, words=message.body)
    return send_sms(
        lead=lead,
        body=agent_turn.reply,
        kind=Kind.COMPLIANCE,
        sender=Sender.AGENT,
        dedupe_key=f"reply:{message.pk}",
        confirming_opt_out=first_time,
    )


def _record_fallback(lead: Lead, turn: AgentTurn, result: TurnResult) -> None:
    lead_services.lead_event_record(
        lead=lead,
        type="agent_fallback",
        description=(
            f"The {result.backend} agent failed ({result.fallback_reason}); "
            "the scripted agent answered instead."
        ),
        data={"reason": result.fallback_reason, "error": result.error[:500], "turn_id": str(turn.pk)},
    )


def _finish_turn(turn: AgentTurn, result: TurnResult, *, reply: Message | None, duration: float) -> None:
    turn.answered_by = result.answered_by
    turn.outcome = TurnOutcome.FELL_BACK if result.fallback_reason else TurnOutcome.ANSWERED
    turn.intent = result.turn.intent.value
    turn.reason = READABLE_REASONS.get(result.turn.reason, result.turn.reason)[:200]
    turn.reply = result.turn.reply
    turn.reply_message = reply
    turn.updates = result.turn.updates
    turn.state = result.turn.state
    turn.fallback_reason = result.fallback_reason
    turn.guardrail = result.guardrail
    turn.error = result.error
    turn.duration_ms = int(duration * 1000)
    turn.finished_at = timezone.now()
    turn.save()


def _conclude(lead: Lead, turn: AgentTurn, agent_turn: Turn) -> None:
    """An ending moves the lead on; routing and nurture react to the status or the signal."""
    ending = agent_turn.intent
    if ending == Intent.HANDOFF:
        lead_services.lead_event_record(
            lead=lead,
            type="handoff",
            actor="agent",
            description=turn.reason or "The borrower needs a person.",
            data={"reason": agent_turn.reason, "turn_id": str(turn.pk)},
        )
        signals.handoff_requested.send(sender=AgentTurn, lead=lead, reason=turn.reason)
        return
    status = {
        Intent.QUALIFIED: LeadStatus.QUALIFIED,
        Intent.NOT_READY: LeadStatus.NURTURING,
        Intent.DISQUALIFIED: LeadStatus.DISQUALIFIED,
    }.get(ending)
    if status:
        why = turn.reason or {
            Intent.QUALIFIED: "The assistant qualified the borrower.",
            Intent.NOT_READY: "Not ready yet: the borrower goes to nurture.",
        }.get(ending, "")
        try:
            lead_services.lead_set_status(lead=lead, status=status, actor="agent", reason=why)
        except ApplicationError as error:
            # The borrower opted out (or was closed) while the assistant was answering.
            logger.info("Lead %s not moved to %s: %s", lead.pk, status, error.message)
