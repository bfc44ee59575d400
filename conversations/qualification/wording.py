"""A Decision in words: answers first, then what the borrower told us said back, then one
question, asked last. One SMS segment when it can be, never more than 320 characters."""

from dataclasses import dataclass

from conversations.qualification.base import MAX_REPLY_CHARS, Intent
from conversations.qualification.flow import Phase
from conversations.qualification.policy import Decision
from conversations.qualification.texts import ACK, WARM_ACKS, phrase, question, value_label

# The order facts are said back in, most useful first; at most two, so the text stays short.
ACK_ORDER = (
    "loan_purpose", "timeline", "property_state", "preapproved", "property_found", "has_agent",
    "first_time_buyer", "loan_type", "credit",
)  # fmt: skip
MAX_ANSWERS = 2


@dataclass(frozen=True)
class Voice:
    language: str = "en"
    first_name: str = ""
    texted_first: bool = False
    introduce: bool = False  # the borrower texted first and has not heard who we are
    phase: str = Phase.QUALIFYING


def render(decision: Decision, voice: Voice) -> str:
    if decision.silent:
        return ""
    parts = [*_opening(decision, voice), *_answers(decision, voice)]
    acknowledgement = _acknowledgement(decision, voice)
    if acknowledgement and decision.intent in (Intent.CONTINUE, Intent.QUALIFIED):
        # The officer offer ends in its own question ("Want one to reach out?"): asked last.
        parts.insert(len(parts) - 1 if decision.offer_officer and parts else len(parts), acknowledgement)
    parts += _closing(decision, voice, acknowledged=bool(acknowledgement))
    if decision.ask:
        parts.append(
            question(decision.ask, voice.language, style=decision.ask_style, value=decision.confirm_value)
        )
    return fit(parts)


def _name(voice: Voice) -> str:
    return f" {voice.first_name}" if voice.first_name else ""


def _opening(decision: Decision, voice: Voice) -> list[str]:
    if voice.introduce:
        return [phrase("intro", voice.language)]
    if decision.greet:
        return [phrase("greeting", voice.language, name=_name(voice))]
    return []


def _answers(decision: Decision, voice: Voice) -> list[str]:
    parts = []
    for topic in decision.answers[:MAX_ANSWERS]:
        parts.append(_answer(topic, decision, voice))
    if decision.declined_offer:
        parts.append(phrase("declined_offer", voice.language))
    return [p for p in parts if p]


def _answer(topic: str, decision: Decision, voice: Voice) -> str:
    language = voice.language
    if topic == "options":
        return ""  # the numbered question answers it
    if topic == "how_got_number" and voice.texted_first:
        return phrase("how_got_number_texted", language)
    if topic == "rates":
        if decision.offer_officer:
            return phrase("rates", language)
        # Declined the officer already: no second offer, and no officer promised either.
        by_text = voice.phase == Phase.QUALIFYING and decision.state.get("officer_declined")
        return phrase("rates_by_text" if by_text else "rates_with_officer", language)
    if topic == "ssn":
        return phrase("ssn_hidden" if decision.redacted else "ssn", language)
    try:
        return phrase(topic, language)
    except KeyError:
        return phrase("other", language)


def _acknowledgement(decision: Decision, voice: Voice) -> str:
    language = voice.language
    said = [f for f in ACK_ORDER if f in decision.updates]
    if not said:
        return ""
    corrected = [f for f in said if f in decision.corrected]
    if corrected:
        name = corrected[0]
        return ACK[language]["corrected"].format(
            label=_capital(value_label(name, decision.updates[name], language)),
            old=value_label(name, decision.corrected[name], language),
        )
    if len(said) == 1:
        warm = WARM_ACKS[language].get((said[0], decision.updates[said[0]]))
        if warm:
            return warm
        return ACK[language]["one"].format(
            label=_capital(value_label(said[0], decision.updates[said[0]], language))
        )
    labels = ", ".join(value_label(f, decision.updates[f], language) for f in said[:3])
    return ACK[language]["many"].format(labels=labels)


def _closing(decision: Decision, voice: Voice, *, acknowledged: bool) -> list[str]:
    if not decision.closing:
        return []
    key = decision.closing
    if decision.state.get("officer_declined"):
        # They said no to a call: hot or warm, routed all the same, the officer is told, no call promised.
        key = BY_TEXT.get(key, key)
    if key.startswith("handed_off") and acknowledged:
        key += "_short"
    if key.startswith("disqualified_third_party_") and key != "disqualified_third_party_realtor":
        key = "disqualified_third_party"
    if key == "talk_later":
        return [phrase("talk_later", voice.language)]
    return [phrase(key, voice.language, name=_name(voice) if key in NAMED else "")]


NAMED = ("handed_off", "handed_off_by_text", "qualified", "qualified_by_text", "not_ready")
BY_TEXT = {"handed_off": "handed_off_by_text", "qualified": "qualified_by_text"}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def fit(parts: list[str]) -> str:
    """Join the parts; drop the leading ones (greetings, answers) if the text would run long."""
    parts = [p for p in parts if p]
    while len(parts) > 1 and len(" ".join(parts)) > MAX_REPLY_CHARS:
        parts = parts[1:]
    return " ".join(parts)[:MAX_REPLY_CHARS]
