"""The scripted agent: a fixed question order, a forgiving parser, and no surprises.

It is the default backend and the fallback whenever the LLM errs, times out or breaks a rule."""

import copy
import re

from conversations.qualification import flow, intents, parser
from conversations.qualification.base import MAX_REPLY_CHARS, AgentInput, Intent, Turn
from conversations.qualification.normalize import normalize
from conversations.qualification.texts import ack, phrase, question

# Fields whose every mention is explicit ("refi", "fha"): a mention may correct a known value.
EXPLICIT_FIELDS = ("loan_purpose", "loan_type")
CORRECTION = re.compile(
    r"\b(actually|sorry|i meant|correction|wait|changed|en realidad|perdon|me equivoque)\b"
)
# What a borrower asked or said that we answer before the next question, most useful first.
FAQ_ORDER = ("who_is_this", "how_got_number", "are_you_bot", "injection")


class ScriptedAgent:
    name = "scripted"

    def take_turn(self, agent_input: AgentInput, recorder=None) -> Turn:
        return _Turn(agent_input).take()


class _Turn:
    """One reply, worked out from the borrower's text and the flow's memory."""

    def __init__(self, agent_input: AgentInput):
        self.input = agent_input
        self.language = agent_input.language
        self.text = normalize(agent_input.message)
        self.state = copy.deepcopy(agent_input.state) or flow.new_state()
        for key, value in flow.new_state().items():
            self.state.setdefault(key, value)
        self.signals = intents.detect(self.text)
        self.declined_officer = False  # "no" to "want a loan officer to reach out?"

    def take(self) -> Turn:
        if self.signals.disqualify:
            reason = self.signals.disqualify
            return self._end(Intent.DISQUALIFIED, phrase(f"disqualified_{reason}", self.language), reason, {})
        parsed = self._parse()
        changes = {f: v for f, v in parsed.items() if self.input.known.get(f) != v}
        known = {**self.input.known, **changes}
        handoff = self._handoff_reason()
        if handoff:
            return self._end(Intent.HANDOFF, phrase(f"handoff_{handoff}", self.language), handoff, changes)
        if self.input.waiting:
            return self._waiting(changes)
        if self._not_ready(known):
            return self._end(Intent.NOT_READY, self._ending_text("not_ready"), "not ready", changes)
        return self._continue(parsed, changes, known)

    def _not_ready(self, known: dict) -> bool:
        """ "Not now, maybe in 2 months" is a warm lead to keep qualifying, not one to nurture."""
        if self.signals.not_ready == "later":
            return known.get("timeline") in (None, *flow.NOT_READY_TIMELINES, "unsure")
        return self.signals.not_ready == "declined"

    # --- reading the text ----------------------------------------------------------------

    def _state_guess(self) -> str:
        if self.state["no_guess"] or self.state["asked"] != "property_state" or self.state["numbered"]:
            return ""
        return self.input.lead_state or ""

    def _parse(self) -> dict:
        # While we wait for a yes/no to our offer of an officer, a bare "no" answers that.
        waiting_for_offer = self.state["pending"] == "offer_officer"
        found = parser.extract(
            self.input.message,
            asked=None if waiting_for_offer else self.state["asked"],
            numbered=self.state["numbered"],
            state_guess=self._state_guess(),
            now=self.input.now,
        )
        return flow.relevant(self._keep_known(found), self.input.known)

    def _keep_known(self, found: dict) -> dict:
        """New facts fill blanks; an answer already known changes only when we asked for it,
        the borrower corrects it, or it is named outright (the purpose, the loan type)."""
        if CORRECTION.search(self.text):
            return found
        asked, known = self.state["asked"], self.input.known
        return {f: v for f, v in found.items() if known.get(f) is None or f == asked or f in EXPLICIT_FIELDS}

    def _handoff_reason(self) -> str:
        if self.signals.handoff:
            return self.signals.handoff
        pending, self.state["pending"] = self.state["pending"], ""
        answer = parser.yes_or_no(self.text) if pending == "offer_officer" else None
        self.declined_officer = answer is False
        return "rates" if answer is True else ""

    # --- replies -------------------------------------------------------------------------

    def _continue(self, parsed: dict, changes: dict, known: dict) -> Turn:
        asked = self.state["asked"]
        answered = asked in parsed
        declined_guess = self._declined_state_guess(asked)
        progress = changes or answered or self.signals.faq or declined_guess or self.declined_officer
        if asked and not progress:
            missed = self._miss(asked, changes, known)
            if missed:
                return missed
        if answered and asked in self.state["reconfirm"]:
            self.state["reconfirm"].remove(asked)
        ending = flow.ending_for(known, self.state)
        if ending:
            reason = "timeline" if ending == Intent.NOT_READY else ""
            return self._end(Intent(ending), self._ending_text(ending), reason, changes)
        if "rates" in self.signals.faq:
            self.state["pending"] = "offer_officer"
            return self._reply([phrase("rates", self.language)], changes)
        return self._ask(flow.next_field(known, self.state), self._preamble(changes), changes)

    def _miss(self, asked: str, changes: dict, known: dict) -> Turn | None:
        """Nothing we could use: re-ask once with numbered options, then move on."""
        misses = self.state["misses"]
        misses[asked] = misses.get(asked, 0) + 1
        if misses[asked] == 1:
            lead_in = "off_topic" if self.signals.question else "sorry"
            self.state["numbered"] = True
            reply = [phrase(lead_in, self.language), question(asked, self.language, numbered=True)]
            return self._reply(reply, changes)
        if known.get(asked) is not None:
            pass  # asked again (the first text asks it anyway): keep what we know
        elif asked in parser.UNSURE_VALUES:
            changes[asked] = known[asked] = parser.UNSURE_VALUES[asked]
        else:
            self.state["skipped"].append(asked)
        if asked in self.state["reconfirm"]:
            self.state["reconfirm"].remove(asked)
        return None

    def _declined_state_guess(self, asked: str | None) -> bool:
        if asked == "property_state" and self._state_guess() and parser.yes_or_no(self.text) is False:
            self.state["no_guess"] = True
            return True
        return False

    def _preamble(self, changes: dict) -> list[str]:
        parts = []
        if not self.state["introduced"]:
            parts.append(phrase("intro", self.language))
            self.state["introduced"] = True
        if "[REDACTED" in self.input.message:
            parts.append(phrase("security", self.language))
        faq = [name for name in FAQ_ORDER if name in self.signals.faq]
        if faq:
            parts.append(self._faq_answer(faq[0]))
        elif self.declined_officer:
            parts.append(phrase("no_officer_then", self.language))
        elif changes and not parts:
            parts.append(ack(self.language, len(self.input.history)))
        elif self.signals.question and not changes:
            parts.append(phrase("off_topic", self.language))
        return parts

    def _faq_answer(self, name: str) -> str:
        if name == "how_got_number" and self.input.texted_first:
            return phrase("how_got_number_texted", self.language)
        return phrase(name, self.language)

    def _ask(self, field: str, preamble: list[str], changes: dict) -> Turn:
        self.state["asked"] = field
        self.state["numbered"] = False
        guess = self.input.lead_state if field == "property_state" and not self.state["no_guess"] else ""
        return self._reply([*preamble, question(field, self.language, state_guess=guess)], changes)

    def _waiting(self, changes: dict) -> Turn:
        faq = [name for name in FAQ_ORDER if name in self.signals.faq]
        if "rates" in self.signals.faq:
            reply = [phrase("rates", self.language).rsplit(".", 1)[0] + ".", phrase("waiting", self.language)]
        elif faq:
            reply = [self._faq_answer(faq[0]), phrase("waiting", self.language)]
        else:
            reply = [phrase("waiting", self.language)]
        return self._reply(reply, changes)

    def _ending_text(self, ending: str) -> str:
        name = f", {self.input.first_name}" if self.input.first_name else ""
        return phrase(ending, self.language, name=name)

    def _end(self, intent: Intent, text: str, reason: str, changes: dict) -> Turn:
        self.state.update(ended=intent.value, pending="", asked=None, numbered=False)
        return Turn(reply=text, updates=changes, intent=intent, reason=reason, state=self.state)

    def _reply(self, parts: list[str], changes: dict) -> Turn:
        return Turn(reply=fit(parts), updates=changes, intent=Intent.CONTINUE, state=self.state)


def fit(parts: list[str]) -> str:
    """Join the parts; drop the leading ones (greetings, answers) if the text would run long."""
    while len(parts) > 1 and len(" ".join(parts)) > MAX_REPLY_CHARS:
        parts = parts[1:]
    return " ".join(parts)[:MAX_REPLY_CHARS]
