"""The dialogue policy: one deterministic decision per borrower turn, whoever understood it.

Commands in (what the borrower said), a Decision out (what to record, what to answer, what to
ask, and whether the conversation ends or the borrower goes to an officer now). Speed to an
officer first: purpose, timeline and state, then pre-approval for a purchase; a hot borrower is
handed to routing at once and the remaining questions are asked while the offer waits.

What the policy cannot do itself (booking a call when the borrower would rather talk later)
plugs in above it, through conversations.interceptors: a layer that answers a text keeps it
from the policy. A busy borrower the layers leave to the policy is told to text back anytime."""

import copy
from dataclasses import dataclass, field

from conversations.qualification import flow
from conversations.qualification.base import Intent
from conversations.qualification.commands import Command, Kind, of_kind
from conversations.qualification.flow import Phase
from conversations.qualification.validation import valid_value
from leads.choices import LoanPurpose, Timeline

HOT_TIMELINES = (Timeline.DAYS_0_30, Timeline.MONTHS_1_3)
BOOLEAN_FIELDS = ("preapproved", "has_agent", "property_found", "first_time_buyer")
# A stated value replaces a known one only as a correction, as the answer to our question,
# or when it names the field outright (yes/no facts need one of the first two).
EXPLICIT_FIELDS = ("loan_purpose", "loan_type", "property_state", "credit")
MAX_ASKS = 2  # never the same question more than twice; skipped twice, it is dropped
UNSURE = {"loan_type": "unsure", "timeline": Timeline.UNSURE, "credit": "unsure"}


@dataclass(frozen=True)
class Situation:
    """Everything the policy may know besides the commands."""

    known: dict
    state: dict
    phase: str = Phase.QUALIFYING
    lead_state: str = ""  # the inquiry form's state: a guess to confirm, never an answer
    redacted: bool = False  # the text carried a number we masked


@dataclass
class Decision:
    intent: Intent = Intent.CONTINUE
    reason: str = ""
    updates: dict = field(default_factory=dict)
    corrected: dict = field(default_factory=dict)  # field -> the value it replaced
    answers: list = field(default_factory=list)  # question topics to answer, in order
    ask: str | None = None  # the field the reply asks about
    ask_style: str = "plain"  # plain, again, confirm, numbered
    confirm_value: object = None
    handed_off: bool = False  # this turn hands a hot borrower to routing
    closing: str = ""  # the closing text's key when the reply ends a stretch of questions
    greet: bool = False
    declined_offer: bool = False
    offer_officer: bool = False  # a rate question: offer an officer, ask nothing else
    busy: bool = False  # "at work, text me later": no question now
    silent: bool = False  # nothing to say: a tapback, or "ok" while waiting
    redacted: bool = False  # the text carried a number we masked: warn the borrower
    state: dict = field(default_factory=dict)


def decide(commands: list[Command], situation: Situation) -> Decision:
    return _Policy(commands, situation).decide()


def hot_and_routable(known: dict, state: dict) -> bool:
    """Buying or refinancing within three months, with what routing needs to pick an officer."""
    skipped = state.get("skipped", [])
    purpose = known.get("loan_purpose")
    if purpose is None and "loan_purpose" not in skipped:
        return False
    if known.get("property_state") is None or known.get("timeline") not in HOT_TIMELINES:
        return False
    needs_preapproval = purpose == LoanPurpose.PURCHASE and "preapproved" not in skipped
    return not (needs_preapproval and known.get("preapproved") is None)


class _Policy:
    def __init__(self, commands: list[Command], situation: Situation):
        self.commands = commands
        self.situation = situation
        self.known = dict(situation.known)
        self.state = flow.with_defaults(copy.deepcopy(situation.state))
        self.decision = Decision(redacted=situation.redacted)
        self.asked = self.state["asked"]
        self.answered_asked = False

    def decide(self) -> Decision:
        if self.commands and all(c.kind == Kind.TAPBACK for c in self.commands):
            self.decision.silent = True  # a reaction is not an answer: the question stands
            self.decision.state = self.state
            return self.decision
        ending = self._ending()
        if ending:
            return ending
        self._record_fields()
        self._resolve_short_answers()
        self._note_questions()
        return self._next_step()

    # --- endings that do not depend on the fields ----------------------------------------

    def _ending(self) -> Decision | None:
        for command in self.commands:
            if command.kind == Kind.END:
                return self._end(Intent.DISQUALIFIED, command.topic)
            if command.kind == Kind.THIRD_PARTY:
                return self._end(Intent.DISQUALIFIED, f"third_party_{command.topic}")
            if command.kind == Kind.DECLINE and command.topic == "other_lender":
                return self._end(Intent.DISQUALIFIED, "other_lender")
        return None

    def _end(self, intent: Intent, reason: str, closing: str = "") -> Decision:
        self.state.update(ended=intent.value, pending={}, asked=None, numbered=False)
        self.decision.intent, self.decision.reason = intent, reason
        self.decision.closing = closing or f"{intent.value}_{reason}"
        self.decision.state = self.state
        return self.decision

    # --- facts -------------------------------------------------------------------------

    def _record_fields(self) -> None:
        for command in of_kind(self.commands, Kind.SET, Kind.CORRECT):
            self._record(command.field, command.value, correcting=command.kind == Kind.CORRECT)
        for command in of_kind(self.commands, Kind.IMPLIED):
            if self.known.get(command.field) is None and command.field not in self.decision.updates:
                self.state["implied"][command.field] = command.value

    def _record(self, name: str, value, *, correcting: bool) -> None:
        value = valid_value(name, value)
        purpose = self.decision.updates.get("loan_purpose", self.known.get("loan_purpose"))
        if value is not None and purpose is None and name in flow.PURCHASE_ONLY:
            # Whether it applies waits for the purpose; dropping it meant asking for it again.
            self.state["held"][name] = value
            return
        if value is None or not flow.applies(name, value if name == "loan_purpose" else purpose):
            return
        old = self.known.get(name)
        if name == self.asked:
            self.answered_asked = True
        if old == value:
            return
        if old is not None and not (correcting or name == self.asked or name in EXPLICIT_FIELDS):
            return  # a passing mention does not overwrite what the borrower told us
        if old is not None:
            self.decision.corrected[name] = old
        self._set(name, value)

    def _set(self, name: str, value) -> None:
        self.decision.updates[name] = value
        self.known[name] = value
        self.state["implied"].pop(name, None)
        if name in self.state["reconfirm"]:
            self.state["reconfirm"].remove(name)
        if name == "loan_purpose":
            self._drop_fields_that_no_longer_apply(value)
            self._apply_held_facts(value)

    def _apply_held_facts(self, purpose: str) -> None:
        held, self.state["held"] = self.state["held"], {}
        for name, value in held.items():
            if flow.applies(name, purpose) and self.known.get(name) is None:
                self._set(name, value)

    def _drop_fields_that_no_longer_apply(self, purpose: str) -> None:
        for name in list(self.decision.updates):
            if not flow.applies(name, purpose):
                del self.decision.updates[name]

    # --- yes, no, not sure ----------------------------------------------------------------

    def _resolve_short_answers(self) -> None:
        pending, self.state["pending"] = self.state["pending"], {}
        short = of_kind(self.commands, Kind.AFFIRM, Kind.DENY, Kind.UNSURE, Kind.SKIP)
        if not short:
            self._keep_pending_unless_moved_on(pending)
            return
        answer = short[0]
        stated = {c.field for c in of_kind(self.commands, Kind.SET, Kind.CORRECT)}
        if stated & set(BOOLEAN_FIELDS) and answer.kind in (Kind.AFFIRM, Kind.DENY):
            return  # "no, we're not pre-approved": the yes or no belongs to that statement
        if answer.kind == Kind.SKIP:
            self._skip(self.asked)
        elif answer.topic == "correction" and self._correct_last_answer(answer):
            pass
        elif pending:
            self._answer_pending(pending, answer)
        elif not self.answered_asked:
            self._answer_asked(answer)

    def _keep_pending_unless_moved_on(self, pending: dict) -> None:
        if pending and not self.decision.updates and pending.get("field") != "offer_officer":
            self.state["pending"] = pending

    def _correct_last_answer(self, answer: Command) -> bool:
        """ "Sorry, I meant no": the yes/no we recorded last, turned around."""
        last = self.state.get("last_answered")
        if last not in BOOLEAN_FIELDS or answer.kind == Kind.UNSURE or last in self.decision.updates:
            return False
        self._record(last, answer.kind == Kind.AFFIRM, correcting=True)
        return True

    def _answer_pending(self, pending: dict, answer: Command) -> None:
        if pending.get("field") == "offer_officer":
            if answer.kind == Kind.AFFIRM:
                self.state["handoff"] = "rates"
            elif not of_kind(self.commands, Kind.DECLINE):  # "no, not interested" refuses it all
                # A no to the call, not to the conversation: keep to text, never offer again
                # (a borrower who asks for a person later still gets one: that is a hand-off).
                self.decision.declined_offer = True
                self.state["officer_declined"] = True
            return
        name = pending["field"]
        if answer.kind == Kind.AFFIRM:
            self._record(name, pending["value"], correcting=False)
            self.answered_asked = self.answered_asked or name == self.asked
        elif answer.kind == Kind.DENY:
            self.state["no_guess"].append(name)  # ask the open question now
            self.state["implied"].pop(name, None)
        if name == self.asked:
            self.answered_asked = True

    def _answer_asked(self, answer: Command) -> None:
        asked = self.asked
        if asked in BOOLEAN_FIELDS and answer.kind != Kind.UNSURE:
            self._record(asked, answer.kind == Kind.AFFIRM, correcting=False)
            self.state["last_answered"] = asked
        elif answer.kind == Kind.UNSURE and asked in UNSURE:
            self._record(asked, UNSURE[asked], correcting=False)
        elif answer.kind == Kind.UNSURE and asked:
            self._skip(asked)  # "not sure if we're pre-approved": the officer will find out

    def _skip(self, name: str | None) -> None:
        if name and name not in self.state["skipped"]:
            self.state["skipped"].append(name)
        if name == self.asked:
            self.answered_asked = True

    # --- what else the borrower asked or said --------------------------------------------------

    def _note_questions(self) -> None:
        topics = [c.topic for c in of_kind(self.commands, Kind.QUESTION)]
        if self.situation.redacted and "ssn" not in topics:
            topics.insert(0, "ssn")
        self.decision.answers = list(dict.fromkeys(topics))
        chitchat = {c.topic for c in of_kind(self.commands, Kind.CHITCHAT)}
        self.decision.greet = "greeting" in chitchat and not self.state["greeted"]
        self.state["greeted"] = self.state["greeted"] or self.decision.greet
        self.decision.busy = "busy" in chitchat

    # --- what comes next -------------------------------------------------------------------

    def _next_step(self) -> Decision:
        self.decision.state = self.state
        handoff = of_kind(self.commands, Kind.HANDOFF)
        if self.state.pop("handoff", "") == "rates":
            handoff = [Command(Kind.HANDOFF, topic="rates")]
        if self.situation.phase == Phase.WAITING:
            return self._waiting(handoff)
        if handoff and self.situation.phase == Phase.QUALIFYING:
            return self._end(Intent.HANDOFF, handoff[0].topic)
        if handoff:
            self.decision.closing = "call_soon"
            return self._finish()
        declined = self._declined_or_later()
        if declined:
            return declined
        return self._continue()

    def _declined_or_later(self) -> Decision | None:
        if any(c.kind == Kind.DECLINE for c in self.commands):
            return self._end(Intent.NOT_READY, "declined", closing="not_ready")
        # "No, not right now" to "want an officer to reach out?": the "not now" is about the call.
        later = any(c.kind == Kind.LATER for c in self.commands) and not self.decision.declined_offer
        near = self.known.get("timeline") in (*HOT_TIMELINES, Timeline.MONTHS_3_6)
        if later and not near:
            return self._end(Intent.NOT_READY, "not ready", closing="not_ready")
        if self.known.get("timeline") == Timeline.MONTHS_6_PLUS and "timeline" not in self.state["reconfirm"]:
            return self._end(Intent.NOT_READY, "timeline", closing="not_ready")
        return None

    def _continue(self) -> Decision:
        if self.decision.busy and not self.decision.updates:
            self.decision.closing = "talk_later"
            return self._finish()  # "at work, text me later": no question now; "busy day, refi" answers now
        if self.situation.phase == Phase.QUALIFYING and hot_and_routable(self.known, self.state):
            self.decision.intent, self.decision.handed_off = Intent.QUALIFIED, True
            self.state.update(ended=Intent.QUALIFIED.value, offered=True)
            self.decision.closing = "handed_off"
            return self._ask_next(closing_if_done="qualified")
        declined = self.state.get("officer_declined", False)
        if "rates" in self.decision.answers and self.situation.phase == Phase.QUALIFYING and not declined:
            self.decision.offer_officer = True  # "want one to reach out?" is this text's question
            self.state.update(pending={"field": "offer_officer"}, asked=None)
            return self._finish()
        if self.situation.phase == Phase.QUALIFYING and self._next_field() is None:
            # Everything asked: routed like any qualified lead, a "no" to the call included (the
            # wording then promises no call and the officer is told they would rather text).
            return self._end(Intent.QUALIFIED, "", closing="qualified")
        return self._ask_next(closing_if_done="all_set")

    def _ask_next(self, *, closing_if_done: str) -> Decision:
        name = self._next_field()
        if name is None:
            if not self.decision.closing:
                self.decision.closing = closing_if_done
            self.state["done"] = True
            return self._finish()
        self._ask(name)
        return self._finish()

    def _next_field(self) -> str | None:
        for name in flow.missing_fields(self.known, self.state):
            if self.state["asks"].get(name, 0) < MAX_ASKS:
                return name
        return None

    def _ask(self, name: str) -> None:
        asks = self.state["asks"]
        guess = self._pending_confirm(name)
        if guess is not None:
            style = "confirm_again" if asks.get(name, 0) >= 1 else "confirm"
            self.state["pending"] = {"field": name, "value": guess}
            self.decision.confirm_value = guess
        elif "options" in self.decision.answers:
            style = "numbered"
        else:
            style = "again" if asks.get(name, 0) >= 1 else "plain"
        asks[name] = asks.get(name, 0) + 1
        self.state.update(asked=name, numbered=style == "numbered")
        self.decision.ask, self.decision.ask_style = name, style

    def _pending_confirm(self, name: str):
        """A value we only guess (implied, or the form's state), to confirm before recording."""
        if name in self.state["no_guess"] or self.known.get(name) is not None:
            return None
        if name in self.state["implied"]:
            return self.state["implied"][name]
        if name == "property_state" and self.situation.lead_state:
            return self.situation.lead_state
        return None

    def _waiting(self, handoff: list[Command]) -> Decision:
        """Asked all we need, or the borrower is with an officer: answer, ask nothing."""
        said_something = self.decision.updates or self.decision.answers or handoff
        if handoff:
            self.decision.closing = "call_soon"
        elif self.decision.updates:
            self.decision.closing = "passed_along"
        elif not said_something:
            self.decision.silent = (
                not of_kind(self.commands, Kind.QUESTION, Kind.UNSURE) and self._only_small_talk()
            )
            self.decision.closing = "" if self.decision.silent else "waiting"
        return self._finish()

    def _only_small_talk(self) -> bool:
        kinds = {c.kind for c in self.commands}
        return kinds <= {Kind.CHITCHAT, Kind.TAPBACK, Kind.AFFIRM, Kind.DENY} and bool(kinds)

    def _finish(self) -> Decision:
        self.decision.state = self.state
        return self.decision
