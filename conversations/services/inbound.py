"""A borrower's text: stored before anything can fail, keywords first, then the conversation."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from conversations import keywords, signals, texts
from conversations.models import (
    Direction,
    Kind,
    Message,
    MessageStatus,
    Sender,
)
from conversations.qualification.language import language_for
from conversations.redaction import redact
from conversations.services import refusals
from conversations.services.first_contact import INBOUND_SMS_SUBMITTER
from conversations.services.outbox import SendResult, _enqueue, send_sms
from conversations.services.turns import conversation_rest_after_refusal
from leads import services as lead_services
from leads.choices import CLOSED_STATUSES, ConsentScope, Source
from leads.models import Lead
from leads.phones import normalize_phone
from mortgage_sms.errors import ApplicationError
from mortgage_sms.privacy import mask_phone_numbers

logger = logging.getLogger(__name__)

# --- Inbound ----------------------------------------------------------------------------------


def inbound_receive(
    *, from_number: str, to_number: str, body: str, provider_sid: str
) -> tuple[Message, bool]:
    """Store a borrower's text (before anything else can fail) and queue its handling; an
    opt-out is handled at once.

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
            if message.lead and _opts_out(message):
                _handle_at_once(message)
            else:
                _enqueue("conversations.tasks.handle_inbound", str(message.pk))
    except IntegrityError:
        return Message.objects.get(provider_sid=provider_sid), False
    return message, True


def _opts_out(message: Message) -> bool:
    """STOP in any words, or a yes to "Would you like us to stop texting you?": applied by the
    webhook itself, so nothing still queued goes out after it."""
    if keywords.classify(message.body) == keywords.Keyword.OPT_OUT:
        return True
    return refusals.refusal_answered_yes(lead=message.lead, message=message)


def _placeable_phone(from_number: str) -> str | None:
    """The sender as E.164 when it is a US number a lead can have; None for the rest
    (abroad, short codes): their text is kept for ops to see, with no lead to act on."""
    if not (from_number or "").strip():
        raise ApplicationError("From is required.", field="From")
    try:
        return normalize_phone(from_number, field="From")
    except ApplicationError:
        logger.warning(
            "Inbound text from %s, outside the US numbering plan: stored, no lead.",
            mask_phone_numbers(from_number),
        )
        return None


def _lead_for_inbound(phone: str, body: str) -> Lead | None:
    lead = Lead.objects.filter(phone=phone).exclude(status__in=CLOSED_STATUSES).first()
    if lead is None:
        lead = Lead.objects.filter(phone=phone).order_by("-created_at").first()
    if lead is not None:
        return lead
    if _is_staff(phone):
        # An officer answering a lead alert: kept for ops to see, never a lead, never answered.
        logger.info(
            "Inbound text from %s, a staff number (it gets our alerts): stored, no lead.",
            mask_phone_numbers(phone),
        )
        return None
    # Someone texted our number first: they asked to hear from us, about what they asked, and
    # no more. No nurture cadence until a form gives written consent (leads.choices.ConsentScope).
    return lead_services.lead_intake(
        phone=phone,
        submitted_by=INBOUND_SMS_SUBMITTER,
        source=Source.ORGANIC,
        source_detail="Texted our number first",
        sms_consent=keywords.classify(body) is None,
        consent_text=f"Borrower texted our number first: {body[:300]!r}",
        consent_scope=ConsentScope.CONVERSATION,
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


def _handle_at_once(message: Message) -> str:
    """An opt-out is applied in the webhook's own transaction, not by a task queued behind
    deliveries: from the moment Twilio hears our 200, no text not yet handed to the carrier
    goes out (the outbox's last check reads the stored opt-out)."""
    message.processed_at = timezone.now()
    message.save(update_fields=["processed_at", "updated_at"])
    return _act_on_inbound(message.lead, message)


def _act_on_inbound(lead: Lead, message: Message) -> str:
    lead_services.lead_record_inbound(lead_id=lead.pk, at=message.created_at)
    # "No me escriba más" is confirmed in Spanish: the language is read before the keywords.
    lead_services.lead_set_language(lead=lead, language=language_for(message.body, lead.language))
    keyword = keywords.classify(message.body)
    if keyword == keywords.Keyword.OPT_OUT:
        return _handle_opt_out(lead, message)
    if keyword == keywords.Keyword.OPT_IN and lead.opted_out_at:
        return _handle_opt_in(lead, message)
    if lead.opted_out_at:
        return "ignored: opted out"  # stored and visible; nothing is sent until START
    if refusals.refusal_confirmed(lead=lead, message=message):
        return _confirm_opt_out(lead, message)
    if (
        keyword == keywords.Keyword.MAYBE_OPT_OUT
        and not refusals.refusal_answers_offer(lead=lead, message=message)
        and refusals.refusal_ask(lead=lead, message=message)
    ):
        conversation_rest_after_refusal(lead=lead, message=message)
        return "asked whether to stop"
    if keyword == keywords.Keyword.OPT_IN and not keywords.is_answer(message.body):
        return "already subscribed"  # a second START is not a reply to the assistant
    if keyword == keywords.Keyword.HELP:
        _reply(lead, texts.text("help", lead.language), kind=Kind.COMPLIANCE, key=f"help:{message.pk}")
        return "help"
    # The conversation marks the text as handed to the assistant (to_assistant), with the claim,
    # unless a layer above (scheduling) answers it: if the assistant's task is lost, recovery finds it.
    signals.inbound_message.send(sender=Message, lead=lead, message=message)
    return "conversation"


def _handle_opt_out(lead: Lead, message: Message) -> str:
    if not lead_services.lead_opt_out(lead=lead, words=message.body):
        return "already opted out"
    return _confirm_opt_out(lead, message)


def _confirm_opt_out(lead: Lead, message: Message) -> str:
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
