"""Replays written conversations through the agent and scores the fields and endings it reaches.

Each line of the JSONL file is one conversation: the lead as the inquiry left it, the
borrower's texts in order, and the fields and ending a good assistant should end with."""

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.conf import settings

from conversations.qualification import flow
from conversations.qualification.base import AgentInput, Intent
from conversations.qualification.language import language_for
from conversations.qualification.runner import take_turn
from conversations.redaction import redact
from conversations.texts import first_contact_text
from leads.choices import QUALIFICATION_FIELDS

DEFAULT_PATH = Path(settings.BASE_DIR) / "tests" / "data" / "qualification_conversations.jsonl"
# The set mentions "next spring" and "by june": it is read as if today were this day.
DEFAULT_NOW = datetime(2026, 1, 15, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
ENDING_NAMES = [*(i.value for i in Intent if i != Intent.CONTINUE), "continue"]


@dataclass
class Conversation:
    id: str
    lead: dict
    messages: list
    expected_fields: dict
    expected_ending: str
    split: str = "dev"


@dataclass
class Outcome:
    conversation: Conversation
    fields: dict
    ending: str
    transcript: list
    fallbacks: int = 0

    def wrong_fields(self) -> dict:
        expected = self.conversation.expected_fields
        return {
            f: (expected.get(f), self.fields.get(f))
            for f in QUALIFICATION_FIELDS
            if expected.get(f) != self.fields.get(f)
        }


def load(path: Path = DEFAULT_PATH) -> list[Conversation]:
    conversations = []
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        data = json.loads(line)
        unknown = set(data["expected"]["fields"]) - set(QUALIFICATION_FIELDS)
        if unknown:
            raise ValueError(f"Line {number}: not qualification fields: {sorted(unknown)}")
        conversations.append(
            Conversation(
                id=data["id"],
                lead=data.get("lead", {}),
                messages=data["messages"],
                expected_fields=data["expected"]["fields"],
                expected_ending=data["expected"]["ending"],
                split=data.get("split", "dev"),
            )
        )
    return conversations


def replay(conversation: Conversation, *, backend: str, now: datetime = DEFAULT_NOW) -> Outcome:
    """Play the borrower's texts one by one, as the conversation service would."""
    lead = conversation.lead
    known = {f: lead.get(f) for f in QUALIFICATION_FIELDS}
    language = lead.get("language", "en")
    texted_first = lead.get("texted_first", False)
    transcript, fallbacks, ending = [], 0, "continue"
    first_text = None
    if not texted_first:
        greeting_lead = SimpleNamespace(first_name=lead.get("first_name", ""), language=language, **known)
        first_text = first_contact_text(greeting_lead)
        transcript.append(("agent", first_text))
    state = flow.initial_state(first_text)
    for text in conversation.messages:
        language = language_for(text, language)
        transcript.append(("borrower", text))
        agent_input = AgentInput(
            message=redact(text)[0], known=dict(known), state=state, language=language,
            first_name=lead.get("first_name", ""), lead_state=lead.get("state", ""),
            texted_first=texted_first, history=tuple(transcript), now=now,
        )  # fmt: skip
        result = take_turn(agent_input, backend=backend)
        fallbacks += bool(result.fallback_reason)
        known.update(result.turn.updates)
        state = result.turn.state
        transcript.append(("agent", result.turn.reply))
        if result.turn.intent != Intent.CONTINUE:
            ending = result.turn.intent.value
            break
    return Outcome(conversation, known, ending, transcript, fallbacks)


@dataclass
class Report:
    outcomes: list = field(default_factory=list)

    def field_accuracy(self) -> dict[str, float]:
        right = Counter()
        for outcome in self.outcomes:
            wrong = outcome.wrong_fields()
            right.update(f for f in QUALIFICATION_FIELDS if f not in wrong)
        return {f: right[f] / len(self.outcomes) for f in QUALIFICATION_FIELDS}

    def overall_field_accuracy(self) -> float:
        slots = len(self.outcomes) * len(QUALIFICATION_FIELDS)
        return sum(len(QUALIFICATION_FIELDS) - len(o.wrong_fields()) for o in self.outcomes) / slots

    def stated_fact_accuracy(self) -> float:
        """Only the slots the borrower gave a value for: no credit for agreeing on "unknown"."""
        pairs = [
            (o, f) for o in self.outcomes for f, v in o.conversation.expected_fields.items() if v is not None
        ]
        return sum(o.fields.get(f) == o.conversation.expected_fields[f] for o, f in pairs) / len(pairs)

    def ending_accuracy(self) -> dict[str, tuple[int, int]]:
        scores = defaultdict(lambda: [0, 0])
        for outcome in self.outcomes:
            expected = outcome.conversation.expected_ending
            scores[expected][1] += 1
            scores[expected][0] += outcome.ending == expected
        return {name: tuple(scores[name]) for name in ENDING_NAMES if name in scores}

    def overall_ending_accuracy(self) -> float:
        return sum(o.ending == o.conversation.expected_ending for o in self.outcomes) / len(self.outcomes)


def evaluate(conversations: list[Conversation], *, backend: str) -> Report:
    return Report([replay(c, backend=backend) for c in conversations])
