"""The assistant's turns: the qualification agent answers, the lead moves on."""

import logging
import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from conversations import qualification, signals
from conversations.models import (
    AgentTurn,
    Kind,
    LLMCall,
    Message,
    Sender,
    TurnOutcome,
)
from conversations.qualification import AgentInput, Intent, Turn, TurnResult, flow
from conversations.qualification.language import language_for
from conversations.services.first_contact import INBOUND_SMS_SUBMITTER
from conversations.services.outbox import SendResult, _enqueue, send_sms
from leads import services as lead_services
from leads.choices import QUALIFICATION_FIELDS, LeadStatus
from leads.models import Lead
from mortgage_sms.errors import ApplicationError

logger = logging.getLogger(__name__)

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
