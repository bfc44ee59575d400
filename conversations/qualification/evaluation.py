"""Plays written borrowers through the agent and scores what a loan team would notice.

Each line of the JSONL file is one borrower: the lead as the inquiry left it, a `script` of
texts sent whatever the assistant says (a list inside it is a burst, answered once), then
`answers` (field -> text) the borrower gives to whatever the assistant asks next, and the
fields and ending a good assistant ends with. Opt-outs go through conversations.keywords first,
as the inbound service does (an unclear refusal, "not interested", is asked about once, but a
"no thanks" to the officer offer only declines the call); after a hand-off the remaining questions go on, as while an offer
waits. Per conversation: fields right, ending right, guardrail breaks, awkward replies, and the
borrower texts it took until a hot borrower was offered to an officer."""

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings

from conversations import keywords
from conversations import texts as conversation_texts
from conversations.qualification import flow, guardrails
from conversations.qualification.base import REVOKING_REASONS, AgentInput, Intent
from conversations.qualification.language import detect, language_for
from conversations.qualification.policy import HOT_TIMELINES
from conversations.qualification.replies import asked_field
from conversations.qualification.runner import take_turn
from conversations.qualification.understanding import declines_officer_offer
from conversations.redaction import redact
from conversations.services import refusals
from leads.choices import QUALIFICATION_FIELDS

DEFAULT_PATH = Path(settings.BASE_DIR) / "tests" / "data" / "qualification_conversations.jsonl"
# The set says "next spring" and "by june": it is read as if today were this day.
DEFAULT_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
ENDINGS = ("qualified", "not_ready", "handoff", "disqualified", "opted_out", "continue")
MAX_TURNS = 25
MAX_ANSWERS_PER_FIELD = 2  # a borrower answers the same question twice, then gives up


@dataclass
class Conversation:
    id: str
    lead: dict
    script: list
    answers: dict
    expected_fields: dict
    expected_ending: str
    category: str = "other"
    split: str = "dev"

    @property
    def hot(self) -> bool:
        return self.expected_ending == "qualified" and self.expected_fields.get("timeline") in HOT_TIMELINES


@dataclass
class Outcome:
    conversation: Conversation
    fields: dict
    ending: str
    transcript: list
    texts_to_offer: int | None = None  # borrower texts until handed to an officer
    awkward: list = field(default_factory=list)  # (reason, reply)
    breaks: list = field(default_factory=list)  # (rule, reply)
    fallbacks: int = 0

    def field_slots(self) -> list[tuple[str, object, object]]:
        """(field, expected, got) for every field either side has a value for."""
        expected = self.conversation.expected_fields
        return [
            (f, expected.get(f), self.fields.get(f))
            for f in QUALIFICATION_FIELDS
            if expected.get(f) is not None or self.fields.get(f) is not None
        ]

    def wrong_fields(self) -> dict:
        return {f: (want, got) for f, want, got in self.field_slots() if want != got}

    @property
    def ending_right(self) -> bool:
        return self.ending == self.conversation.expected_ending


def load(path: Path = DEFAULT_PATH) -> list[Conversation]:
    conversations = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        expected = data["expected"]
        unknown = (set(expected["fields"]) | set(data.get("answers", {}))) - set(QUALIFICATION_FIELDS)
        if unknown:
            raise ValueError(f"Line {number}: not qualification fields: {sorted(unknown)}")
        if expected["ending"] not in ENDINGS:
            raise ValueError(f"Line {number}: unknown ending {expected['ending']!r}")
        conversations.append(
            Conversation(
                id=data["id"],
                lead=data.get("lead", {}),
                script=data.get("script", data.get("messages", [])),
                answers=data.get("answers", {}),
                expected_fields=expected["fields"],
                expected_ending=expected["ending"],
                category=data.get("category", "other"),
                split=data.get("split", "dev"),
            )
        )
    return conversations


class _Replay:
    """One borrower texting the agent, the way conversations.services drives it."""

    def __init__(self, conversation: Conversation, backend: str, now: datetime):
        self.conversation, self.backend, self.now = conversation, backend, now
        lead = conversation.lead
        self.known = {f: lead.get(f) for f in QUALIFICATION_FIELDS}
        self.language = lead.get("language", "en")
        self.texted_first = lead.get("texted_first", False)
        self.transcript, self.queue = [], list(conversation.script)
        self.answers_given = defaultdict(int)
        self.outcome = Outcome(conversation, self.known, "continue", self.transcript)
        first_text = None
        if not self.texted_first:
            greeting_lead = SimpleNamespace(
                first_name=lead.get("first_name", ""), language=self.language, **self.known
            )
            first_text = conversation_texts.first_contact_text(greeting_lead)
            self.transcript.append(("agent", first_text))
        self.state = flow.initial_state(first_text)
        self.asked = self.state["asked"]
        self.texts_sent = 0
        self.refusal_asked = False

    def play(self) -> Outcome:
        for _ in range(MAX_TURNS):
            texts = self._next_texts()
            if not texts or not self._turn(texts):
                break
        return self.outcome

    def _next_texts(self) -> list[str]:
        if self.queue:
            item = self.queue.pop(0)
            return item if isinstance(item, list) else [item]
        answer = self.conversation.answers.get(self.asked or "")
        if (
            answer is None
            or self.answers_given[self.asked] >= MAX_ANSWERS_PER_FIELD
            or self._phase() == "waiting"
        ):
            return []
        self.answers_given[self.asked] += 1
        return [answer]

    def _phase(self) -> str:
        return flow.phase_for(self.state, with_officer=False, routed=self.outcome.ending == "qualified")

    def _turn(self, texts: list[str]) -> bool:
        """One borrower turn; False once the conversation is over for good."""
        self.texts_sent += len(texts)
        for text in texts:
            self.transcript.append(("borrower", text))
        if any(keywords.classify(text) == keywords.Keyword.OPT_OUT for text in texts):
            self.outcome.ending = "opted_out"
            self.transcript.append(("system", conversation_texts.text("opt_out_confirmation", self.language)))
            return False
        for text in texts:
            self.language = language_for(text, self.language)
        if not self.refusal_asked and any(
            keywords.classify(t) == keywords.Keyword.MAYBE_OPT_OUT
            and not declines_officer_offer(t, self.state)
            for t in texts
        ):
            return self._ask_whether_to_stop()
        result = take_turn(self._input(texts), backend=self.backend)
        turn = result.turn
        self.reason = turn.reason
        self.outcome.fallbacks += bool(result.fallback_reason)
        before = dict(self.known)
        self.known.update(turn.updates)
        self.state = turn.state
        if not turn.silent:
            self._judge(turn.reply, before)
            self.transcript.append(("agent", turn.reply))
            self.asked = turn.asks
        return self._after(turn.intent)

    def _ask_whether_to_stop(self) -> bool:
        """ "Not interested": asked once whether to stop, as the inbound service does; a yes opts
        out, and meanwhile a borrower being qualified rests in nurture (not ready)."""
        self.refusal_asked = True
        question = refusals.QUESTION.get(self.language, refusals.QUESTION["en"])
        self.transcript.append(("system", question.format(company=settings.COMPANY_NAME)))
        if self.outcome.ending == "continue":
            self.outcome.ending = "not_ready"
        answer = self.queue[0] if self.queue else None
        if isinstance(answer, str) and keywords.normalize(answer) in refusals.YES:
            self.transcript.append(("borrower", self.queue.pop(0)))
            self.outcome.ending = "opted_out"
        return False

    def _input(self, texts: list[str]) -> AgentInput:
        message = "\n".join(redact(text)[0] for text in texts)
        lead = self.conversation.lead
        return AgentInput(
            message=message, known=dict(self.known), state=self.state, language=self.language,
            first_name=lead.get("first_name", ""), lead_state=lead.get("state", ""),
            texted_first=self.texted_first, history=tuple(self.transcript), phase=self._phase(), now=self.now,
        )  # fmt: skip

    def _after(self, intent: Intent) -> bool:
        if intent == Intent.CONTINUE:
            return True
        if self.outcome.ending == "continue":
            revoked = intent == Intent.DISQUALIFIED and self.reason in REVOKING_REASONS
            self.outcome.ending = "opted_out" if revoked else intent.value  # as the service does
            if intent in (Intent.QUALIFIED, Intent.HANDOFF):
                self.outcome.texts_to_offer = self.texts_sent
        return intent in (Intent.QUALIFIED, Intent.HANDOFF)

    def _judge(self, reply: str, known_before: dict) -> None:
        rule = guardrails.violation(reply)
        if rule:
            self.outcome.breaks.append((rule, reply))
        previous = [text for sender, text in self.transcript if sender == "agent"]
        reason = awkwardness(reply, previous, known_before, self.language)
        if reason:
            self.outcome.awkward.append((reason, reply))


# --- awkward replies, judged from the words alone (whichever backend wrote them) -------------

_DID_NOT_CATCH = re.compile(
    r"didn'?t (catch|understand|get) (that|you)|not sure what you mean|i don'?t understand|no le entend|"
    r"no entend[ií]|could you rephrase",
    re.IGNORECASE,
)
_ACK_FIRST = re.compile(
    r"^\W*(perfect|great|got it|thanks|thank you|ok|okay|awesome|perfecto|entendido|gracias|muy bien)\b", re.I
)


def awkwardness(reply: str, previous: list[str], known_before: dict, language: str) -> str:
    """Why a reply would make a borrower feel unheard, or "" when it would not."""
    if _DID_NOT_CATCH.search(reply):
        return "didn't catch that"
    written_in = detect(reply)
    if written_in and written_in != language:
        return "wrong language"
    asked = asked_field(reply)
    if asked and known_before.get(asked) is not None:
        return f"re-asked a known fact ({asked})"
    earlier = [asked_field(text) for text in previous]
    if asked and earlier.count(asked) >= 2:
        return f"asked a third time ({asked})"
    last_question = re.findall(r"[^.?!]*\?", previous[-1]) if previous else []
    this_question = re.findall(r"[^.?!]*\?", reply)
    if last_question and this_question and last_question[-1].strip() == this_question[-1].strip():
        return "repeated the question word for word"
    if asked and earlier and earlier[-1] == asked and _ACK_FIRST.search(reply):
        return "acknowledged, then asked the question just answered"
    return ""


# --- the report -------------------------------------------------------------------------------


@dataclass
class Row:
    conversations: int = 0
    slots: int = 0
    slots_right: int = 0
    endings_right: int = 0
    breaks: int = 0
    awkward: int = 0
    hot: int = 0
    hot_texts: int = 0
    hot_never_offered: int = 0

    def add(self, outcome: Outcome) -> None:
        slots = outcome.field_slots()
        self.conversations += 1
        self.slots += len(slots)
        self.slots_right += sum(want == got for _, want, got in slots)
        self.endings_right += outcome.ending_right
        self.breaks += len(outcome.breaks)
        self.awkward += len(outcome.awkward)
        if outcome.conversation.hot:
            self.hot += 1
            texts = outcome.texts_to_offer
            self.hot_never_offered += texts is None
            self.hot_texts += texts if texts is not None else len(_all_texts(outcome.conversation))

    @property
    def field_accuracy(self) -> float:
        return self.slots_right / self.slots if self.slots else 1.0

    @property
    def ending_accuracy(self) -> float:
        return self.endings_right / self.conversations if self.conversations else 1.0

    @property
    def texts_to_offer(self) -> float | None:
        return self.hot_texts / self.hot if self.hot else None


def _all_texts(conversation: Conversation) -> list:
    return [t for item in conversation.script for t in (item if isinstance(item, list) else [item])]


@dataclass
class Report:
    outcomes: list = field(default_factory=list)

    def rows(self) -> dict[str, Row]:
        rows = defaultdict(Row)
        for outcome in self.outcomes:
            rows[outcome.conversation.category].add(outcome)
        return dict(sorted(rows.items()))

    def total(self) -> Row:
        row = Row()
        for outcome in self.outcomes:
            row.add(outcome)
        return row

    def field_accuracy(self) -> dict[str, float]:
        right, seen = defaultdict(int), defaultdict(int)
        for outcome in self.outcomes:
            for name, want, got in outcome.field_slots():
                seen[name] += 1
                right[name] += want == got
        return {name: right[name] / seen[name] for name in QUALIFICATION_FIELDS if seen[name]}

    def ending_accuracy(self) -> dict[str, tuple[int, int]]:
        scores = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            scores[outcome.conversation.expected_ending][1] += 1
            scores[outcome.conversation.expected_ending][0] += outcome.ending_right
        return {name: tuple(scores[name]) for name in ENDINGS if name in scores}


def replay(conversation: Conversation, *, backend: str, now: datetime = DEFAULT_NOW) -> Outcome:
    return _Replay(conversation, backend, now).play()


def evaluate(conversations: list[Conversation], *, backend: str) -> Report:
    return Report([replay(c, backend=backend) for c in conversations])
