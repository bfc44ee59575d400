"""The conversation: the one outbound choke point (send_sms), the outbox, inbound texts."""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from conversations import keywords, signals, texts, windows
from conversations.gateways import GatewayError, get_gateway
from conversations.gateways.twilio import OPTED_OUT_CODE
from conversations.models import (
    OPT_OUT_LINE_KINDS,
    WINDOW_EXEMPT_KINDS,
    Direction,
    Kind,
    Message,
    MessageStatus,
    Sender,
)
from conversations.redaction import redact
from leads import services as lead_services
from leads.choices import CLOSED_STATUSES, LeadStatus, Source
from leads.models import Lead
from leads.phones import normalize_phone

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
        created_at=now,
    )
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Already queued once under this key: the caller is a retry, not a second text.
        return SendResult(message=Message.objects.get(dedupe_key=dedupe_key))
    _enqueue("conversations.tasks.deliver_message", str(message.pk))
    return SendResult(message=message)


def _block_reason(lead: Lead, kind: str, confirming_opt_out: bool, now: datetime) -> str | None:
    lead.refresh_from_db(fields=["opted_out_at", "do_not_contact", "sms_consent"])
    if confirming_opt_out:
        return None  # the one confirmation that follows STOP
    reason = lead.contact_block_reason()
    if reason == "no_consent" and kind == Kind.COMPLIANCE:
        reason = None  # answering HELP from someone who texted us is not marketing
    if reason or kind in WINDOW_EXEMPT_KINDS:
        return reason
    return windows.block_reason(lead, now)


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
    repeat = lead.first_contact_at is not None or lead.inquiries.count() > 1
    if repeat and not _greet_again(lead):
        lead_services.lead_event_record(
            lead=lead,
            type="first_contact_skipped",
            description="Repeat inquiry: the borrower was texted recently or is with an officer.",
            data={"inquiry_id": inquiry_id},
        )
        return None
    result = send_sms(
        lead=lead,
        body=texts.first_contact_text(lead, again=repeat),
        kind=Kind.FIRST_CONTACT,
        sender=Sender.AGENT,
        dedupe_key=f"first_contact:{inquiry_id}",
    )
    if result.queued and lead.status == LeadStatus.NEW:
        lead_services.lead_set_status(lead=lead, status=LeadStatus.CONTACTED, actor="system")
    return result


def _greet_again(lead: Lead) -> bool:
    if lead.status not in REPEAT_GREETING_STATUSES:
        return False
    last_greeting = Message.objects.filter(lead=lead, kind=Kind.FIRST_CONTACT).order_by("-created_at").first()
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
        return existing, False
    phone = normalize_phone(from_number, field="From")
    clean_body, redacted = redact(body or "")
    try:
        with transaction.atomic():
            lead = _lead_for_inbound(phone, clean_body)
            message = Message.objects.create(
                lead=lead,
                direction=Direction.INBOUND,
                sender=Sender.BORROWER,
                kind=Kind.INBOUND,
                to_number=to_number,
                from_number=phone,
                body=clean_body,
                status=MessageStatus.RECEIVED,
                provider_sid=provider_sid,
                redacted=redacted,
            )
            _enqueue("conversations.tasks.handle_inbound", str(message.pk))
    except IntegrityError:
        return Message.objects.get(provider_sid=provider_sid), False
    return message, True


def _lead_for_inbound(phone: str, body: str) -> Lead:
    lead = Lead.objects.filter(phone=phone).exclude(status__in=CLOSED_STATUSES).first()
    if lead is None:
        lead = Lead.objects.filter(phone=phone).order_by("-created_at").first()
    if lead is not None:
        return lead
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


def inbound_handle(*, message_id) -> str:
    """Act on a borrower's text once: keywords first, then the conversation."""
    now = timezone.now()
    if not Message.objects.filter(pk=message_id, processed_at__isnull=True).update(processed_at=now):
        return "already handled"
    message = Message.objects.select_related("lead").get(pk=message_id)
    lead = message.lead
    lead_services.lead_record_inbound(lead_id=lead.pk, at=message.created_at)
    keyword = keywords.classify(message.body)
    if keyword == keywords.Keyword.OPT_OUT:
        return _handle_opt_out(lead, message)
    if keyword == keywords.Keyword.OPT_IN and lead.opted_out_at:
        return _handle_opt_in(lead, message)
    if lead.opted_out_at:
        return "ignored: opted out"  # stored and visible; nothing is sent until START
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


# Statuses in which a borrower's reply means "we are talking": the assistant's turn.
CONVERSATION_STATUSES = (
    LeadStatus.NEW,
    LeadStatus.CONTACTED,
    LeadStatus.NURTURING,
    LeadStatus.UNRESPONSIVE,
)


def conversation_continue(*, lead: Lead, message: Message) -> None:
    """A borrower replied: the lead is in qualification from here."""
    lead.refresh_from_db()
    if lead.status in CONVERSATION_STATUSES:
        lead_services.lead_set_status(
            lead=lead, status=LeadStatus.QUALIFYING, actor="borrower", reason="The borrower replied."
        )
