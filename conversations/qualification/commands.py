"""What a borrower's text asks of the conversation, as commands (the Rasa CALM idea).

Understanding (the scripted reader or the model) turns texts into commands; one deterministic
policy acts on them. No command decides a business step: they say what the borrower said."""

from dataclasses import dataclass


class Kind:
    SET = "set"  # a field value stated: field, value, words
    CORRECT = "correct"  # a field value stated as a correction of an earlier one
    IMPLIED = "implied"  # a value only implied ("I'm in Houston"): confirm before recording
    AFFIRM = "affirm"  # yes, 👍, "correct"
    DENY = "deny"  # no, 👎, "nope"
    UNSURE = "unsure"  # "not sure", "idk", 🤷
    SKIP = "skip"  # "rather not say", "next question"
    QUESTION = (
        "question"  # topic: apr, rates, credit_needed, down_payment, ssn, bot, who, how_got_number, ...
    )
    CHITCHAT = "chitchat"  # topic: greeting, thanks, ok, laugh, busy
    TAPBACK = "tapback"  # an iPhone/Android reaction: never an answer
    HANDOFF = "handoff"  # topic: call_requested, person_requested, upset, confused
    LATER = "later"  # "not now": the timeline, if any, comes as its own SET
    DECLINE = "decline"  # topic: not_interested, other_lender
    THIRD_PARTY = "third_party"  # topic: realtor, title, escrow, processor, lender, insurance
    END = "end"  # topic: wrong_number, did_not_ask, not_mortgage, testing


@dataclass(frozen=True)
class Command:
    kind: str
    field: str = ""
    value: object = None
    words: str = ""  # the borrower's words the command came from
    topic: str = ""

    def as_dict(self) -> dict:
        data = {"kind": self.kind}
        for name in ("field", "value", "words", "topic"):
            if getattr(self, name) not in ("", None):
                data[name] = getattr(self, name)
        return data


def of_kind(commands, *kinds) -> list[Command]:
    return [c for c in commands if c.kind in kinds]


def topics(commands, kind: str) -> list[str]:
    return [c.topic for c in commands if c.kind == kind]
