"""The assistant's turns: the qualification agent answers, the lead moves on."""

import logging
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from conversations import qualification, signals, windows
from conversations.models import (
    AgentTurn,
    Direction,
    Kind,
    LLMCall,
    Message,
    Sender,
    TurnOutcome,
)
from conversations.qualification import AgentInput, Intent, Turn, TurnResult, flow
from conversations.qualification.base import REVOKING_REASONS
from conversations.qualification.language import language_for
from conversations.qualification.texts import phrase, question
from conversations.services.first_contact import INBOUND_SMS_SUBMITTER
from conversations.services.outbox import SendResult, _enqueue, send_refusal, send_sms
from leads import services as lead_services
from leads.choices import QUALIFICATION_FIELDS, LeadStatus
from leads.models import Lead
from mortgage_sms import jobs
from mortgage_sms.errors import ApplicationError

logger = logging.getLogger(__name__)

# --- The conversation: the qualification agent's turns --------------------------------------

TAKE_TURN = "conversations.tasks.take_agent_turn"
# Texts of one burst answered together, at most (a borrower pasting a paragraph line by line).
BURST_MAX_TEXTS = 10
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
    "other_lender": "The borrower went with another lender.",
    "declined": "The borrower is not interested.",
    "third_party_realtor": "A realtor texted (a possible referral partner): ops were told.",
    "third_party_title": "Title company staff texted, not a borrower: ops were told.",
    "third_party_escrow": "Escrow staff texted, not a borrower: ops were told.",
    "third_party_processor": "A loan processor texted, not a borrower: ops were told.",
    "third_party_lender": "Another lender texted, not a borrower: ops were told.",
    "third_party_insurance": "An insurance agent texted, not a borrower: ops were told.",
    "third_party_vendor": "A vendor (appraiser, inspector) texted, not a borrower: ops were told.",
    "not ready": "The borrower is not ready yet.",
    "timeline": "The borrower plans to move 6+ months from now.",
}


def conversation_schedule(*, message: Message) -> None:
    """The assistant answers in a task of its own, after the inbound text is committed:
    an LLM call of several seconds must not hold the inbound transaction open.

    No worker waits out the burst window: the task is scheduled for the moment the window after
    the text is over (to the second, on the priority lane's cluster). The text is marked as
    handed to the assistant in the same transaction: if the task is lost, recovery finds it."""
    Message.objects.filter(pk=message.pk).update(to_assistant=True)
    if settings.Q_CLUSTER.get("sync"):
        _enqueue(TAKE_TURN, str(message.pk))  # inline (tests): nothing can arrive meanwhile
    else:
        jobs.enqueue_at(TAKE_TURN, str(message.pk), at=_due_at(message), priority=True)


def conversation_continue_by_id(*, message_id) -> AgentTurn | None:
    message = Message.objects.select_related("lead").get(pk=message_id)
    return conversation_continue(lead=message.lead, message=message)


def conversation_continue(*, lead: Lead, message: Message) -> AgentTurn | None:
    """A borrower replied: the assistant's turn, unless a person has taken over.

    Texts that arrive within CONVERSATION_BURST_SECONDS of each other are answered once,
    together, by the turn of the last one; the others are recorded as absorbed into it."""
    turn = AgentTurn.objects.filter(message=message).first()
    if turn and turn.outcome != TurnOutcome.STARTED:
        return turn  # answered already (or with a later text); its reply went out once
    if _due_at(message) > timezone.now() and not settings.Q_CLUSTER.get("sync"):
        return None  # early: the run scheduled for the end of its burst window answers
    lead.refresh_from_db()
    if lead.ai_paused or lead.status not in AGENT_STATUSES:
        return None  # an officer is talking, or the conversation is over: stay quiet
    if _a_later_text_answers(message):
        return None  # the later text's turn answers this one with it
    previous = _last_answered_turn(lead, excluding=message)
    reentry = (
        lead.status in CONVERSATION_STATUSES and previous is not None and bool(previous.state.get("ended"))
    )
    burst = _unanswered_texts(lead, message, previous)
    _enter_qualification(lead, burst)
    agent_input = _agent_input(lead, message, burst, previous, reentry=reentry)
    # Record before the agent (and any LLM) runs: a worker that dies leaves a `started` row.
    turn = turn or AgentTurn.objects.create(
        lead=lead, message=message, backend=settings.AI_BACKEND, number=_next_turn_number(lead)
    )
    started = time.monotonic()
    result = qualification.take_turn(agent_input, backend=settings.AI_BACKEND, recorder=LLMCallRecorder(turn))
    with transaction.atomic():
        _apply_turn(lead, turn, message, result, duration=time.monotonic() - started)
        _absorb(burst, into=turn)
    return turn


def conversation_rest_after_refusal(*, lead: Lead, message: Message) -> AgentTurn | None:
    """ "Not interested", "no thanks": the borrower was just asked whether to stop, and that
    question is the answer to this text. Until they say, qualification rests: a lead being
    qualified goes to nurture (not ready) rather than to the no-reply follow-ups, and the turn
    is recorded as ended, so a later text starts the questions again."""
    if lead.ai_paused or lead.status not in (*CONVERSATION_STATUSES, LeadStatus.QUALIFYING):
        return None  # with an officer, or already routed: nothing to rest
    previous = _last_answered_turn(lead, excluding=message)
    state = previous.state if previous else flow.initial_state(_first_contact_body(lead, before=message))
    turn, _ = AgentTurn.objects.get_or_create(
        message=message,
        defaults={
            "lead": lead, "backend": settings.AI_BACKEND, "number": _next_turn_number(lead),
            "outcome": TurnOutcome.ANSWERED, "intent": Intent.NOT_READY.value, "reason": READABLE_REASONS["declined"],
            "state": {**flow.with_defaults(state), "ended": Intent.NOT_READY.value, "asked": None},
            "finished_at": timezone.now(),
        },
    )  # fmt: skip
    lead_services.lead_set_status(
        lead=lead, status=LeadStatus.NURTURING, actor="agent", reason="Not interested for now: nurture."
    )
    return turn


def _last_answered_turn(lead: Lead, *, excluding: Message | None = None) -> AgentTurn | None:
    """The latest turn that answered the borrower: its state is where the flow stands."""
    turns = AgentTurn.objects.filter(lead=lead, outcome__in=(TurnOutcome.ANSWERED, TurnOutcome.FELL_BACK))
    if excluding is not None:
        turns = turns.exclude(message=excluding)
    # By number first: texts a frozen clock (or a fast burst) stamps alike still come in order.
    return turns.select_related("message").order_by("-number", "-created_at").first()


def _next_turn_number(lead: Lead) -> int:
    return (AgentTurn.objects.filter(lead=lead).aggregate(last=Max("number"))["last"] or 0) + 1


def _burst_window() -> timedelta:
    return timedelta(seconds=settings.CONVERSATION_BURST_SECONDS)


def _due_at(message: Message) -> datetime:
    return message.created_at + _burst_window()


def _a_later_text_answers(message: Message) -> bool:
    """A text of the borrower's within the burst window after this one, handed to the
    assistant too (not a keyword, not answered by a layer above), answers this one with it."""
    return Message.objects.filter(
        Q(created_at__gt=message.created_at, created_at__lte=message.created_at + _burst_window())
        | Q(created_at=message.created_at, provider_sid__gt=message.provider_sid or ""),
        lead_id=message.lead_id,
        direction=Direction.INBOUND,
        to_assistant=True,
    ).exists()


def _unanswered_texts(lead: Lead, message: Message, previous: AgentTurn | None) -> list[Message]:
    """This text and the ones just before it, each within the burst window of the next, handed
    to the assistant and not answered yet (a keyword is answered on its own), oldest first."""
    texts = lead.messages.filter(
        Q(created_at__lt=message.created_at)
        | Q(created_at=message.created_at, provider_sid__lt=message.provider_sid or ""),
        direction=Direction.INBOUND,
        to_assistant=True,
        agent_turn__isnull=True,
    )
    if previous is not None:
        texts = texts.filter(created_at__gte=previous.message.created_at).exclude(pk=previous.message_id)
    burst = [message]
    # Texts stamped alike (a frozen clock in tests) keep Twilio's order of arrival: the SID.
    for text in texts.order_by("-created_at", "-provider_sid")[: BURST_MAX_TEXTS - 1]:
        if burst[0].created_at - text.created_at > _burst_window():
            break
        burst.insert(0, text)
    return burst


def _absorb(burst: list[Message], *, into: AgentTurn) -> None:
    for text in burst:
        if text.pk != into.message_id:
            AgentTurn.objects.get_or_create(
                message=text,
                defaults={
                    "lead_id": into.lead_id, "backend": into.backend, "outcome": TurnOutcome.ABSORBED,
                    "reply_message": into.reply_message, "reason": "Answered together with a later text.",
                    "finished_at": timezone.now(),
                },
            )  # fmt: skip


def _enter_qualification(lead: Lead, burst: list[Message]) -> None:
    language = lead.language
    for text in burst:
        language = language_for(text.body, language)
    lead_services.lead_set_language(lead=lead, language=language)
    if lead.status in CONVERSATION_STATUSES:
        lead_services.lead_set_status(
            lead=lead, status=LeadStatus.QUALIFYING, actor="borrower", reason="The borrower replied."
        )


def _agent_input(
    lead: Lead, message: Message, burst: list[Message], previous: AgentTurn | None, *, reentry: bool
) -> AgentInput:
    known = {f: getattr(lead, f) for f in QUALIFICATION_FIELDS}
    if previous is None:
        state = flow.initial_state(_first_contact_body(lead, before=message))
    else:
        state = flow.reentry_state(known) if reentry else previous.state
    thread = lead.messages.filter(created_at__lte=message.created_at).order_by("-created_at")
    history = [(m.sender, m.body) for m in reversed(thread[:HISTORY_MESSAGES])]
    return AgentInput(
        message="\n".join(text.body for text in burst),
        known=known,
        state=state,
        language=lead.language,
        first_name=lead.first_name,
        lead_state=lead.state,
        texted_first=lead.inquiries.filter(submitted_by=INBOUND_SMS_SUBMITTER).exists(),
        history=tuple(history),
        phase=flow.phase_for(
            state, with_officer=lead.status == LeadStatus.CLAIMED, routed=lead.status in WAITING_STATUSES
        ),
        now=timezone.localtime(timezone=windows.borrower_timezone(lead)),
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
    sent = None if result.turn.silent else _send_turn_reply(lead, message, result.turn)
    _finish_turn(turn, result, reply=sent.message if sent else None, duration=duration)
    if result.turn.declined_offer:
        _record_declined_offer(lead, turn, message)
    _conclude(lead, turn, result.turn)


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


def _record_declined_offer(lead: Lead, turn: AgentTurn, message: Message) -> None:
    """The officer sees that the borrower said no to a call and would rather keep to text."""
    lead_services.lead_event_record(
        lead=lead,
        type="officer_offer_declined",
        actor="borrower",
        description=f"Prefers text: declined our offer of a loan officer's call: {message.body[:200]!r}",
        data={"words": message.body[:500], "turn_id": str(turn.pk)},
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
    turn.commands = result.turn.commands
    turn.state = result.turn.state
    turn.fallback_reason = result.fallback_reason
    turn.guardrail = result.guardrail
    turn.error = result.error
    turn.duration_ms = int(duration * 1000)
    turn.finished_at = timezone.now()
    turn.save()


THIRD_PARTY = "third_party_"


def _tell_ops_about(lead: Lead, turn: AgentTurn, *, role: str) -> None:
    """A realtor (a possible referral partner), title, escrow or a processor texted: ops hear of it."""
    words = turn.message.body
    lead_services.lead_event_record(
        lead=lead,
        type="third_party",
        actor="agent",
        description=f"A {role} texted, not a borrower: {words[:200]!r}",
        data={"role": role, "words": words[:500], "turn_id": str(turn.pk)},
    )
    signals.third_party_texted.send(sender=AgentTurn, lead=lead, role=role, words=words)


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
    if agent_turn.reason.startswith(THIRD_PARTY):
        _tell_ops_about(lead, turn, role=agent_turn.reason.removeprefix(THIRD_PARTY))
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


# --- Borrowers who fall silent mid-qualification ----------------------------------------------

NUDGE_BATCH = 200
NUDGE_LOOKBACK = timedelta(days=7)


def conversation_nudge_silent(*, now: datetime | None = None) -> dict:
    """Follow up with borrowers who stopped answering mid-qualification: the open question
    again after each of CONVERSATION_NUDGE_AFTER_HOURS of silence (inside their contact window,
    as nurture texts are), then `unresponsive` for ops. Safe to run twice: one text per step."""
    now = now or timezone.now()
    steps = [timedelta(hours=h) for h in settings.CONVERSATION_NUDGE_AFTER_HOURS]
    candidates = Lead.objects.filter(
        status=LeadStatus.QUALIFYING,
        ai_paused=False,
        opted_out_at__isnull=True,
        last_inbound_at__lte=now - steps[0],
        last_inbound_at__gte=now - NUDGE_LOOKBACK,
    ).order_by("last_inbound_at")[:NUDGE_BATCH]
    done = {"nudged": 0, "unresponsive": 0}
    for lead in candidates:
        outcome = _nudge(lead, steps, now)
        if outcome:
            done[outcome] += 1
    return done


def _nudge(lead: Lead, steps: list[timedelta], now: datetime) -> str:
    turn = _last_answered_turn(lead)
    state = flow.with_defaults(turn.state if turn else {})
    if turn is None or not state["asked"] or state["ended"] or lead.last_inbound_at > turn.created_at:
        return ""  # nothing asked, or the borrower's latest text is still being answered
    sent = Message.objects.filter(lead=lead, dedupe_key__startswith=f"nudge:{turn.pk}:").count()
    silent_for = now - lead.last_inbound_at
    if sent < len(steps) and silent_for >= steps[sent]:
        if send_refusal(lead=lead, kind=Kind.NURTURE, sender=Sender.AGENT, now=now):
            return ""  # outside the window, capped or blocked: a later run sends it when it may
        send_sms(
            lead=lead,
            body=_nudge_text(lead, state),
            kind=Kind.NURTURE,
            sender=Sender.AGENT,
            dedupe_key=f"nudge:{turn.pk}:{sent}",
            now=now,
        )
        return "nudged"
    if sent == len(steps) and silent_for >= steps[-1] * 2:
        lead_services.lead_set_status(
            lead=lead, status=LeadStatus.UNRESPONSIVE, actor="agent", reason="No answer to the follow-ups."
        )
        return "unresponsive"
    return ""


def _nudge_text(lead: Lead, state: dict) -> str:
    field, pending = state["asked"], state["pending"]
    if pending.get("field") == field:
        asked = question(field, lead.language, style="confirm", value=pending["value"])
    else:
        asked = question(field, lead.language)
    name = f" {lead.first_name}" if lead.first_name else ""
    return phrase("nudge", lead.language, name=name, question=asked)
