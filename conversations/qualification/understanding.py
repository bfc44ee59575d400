"""The scripted understanding: a borrower's texts -> commands (see commands.py).

It reads what the texts say and nothing more: what to ask next is the policy's business.
Context makes short answers readable ("yes", "2", "tx" answer what we just asked), and words
about something else never become answers: a home town, a lender's name, a month in a
sentence about a wedding, `key=value` text."""

import re
from dataclasses import dataclass
from datetime import datetime

from conversations.qualification import flow, intents, parser
from conversations.qualification.commands import Command, Kind, of_kind
from conversations.qualification.normalize import normalize
from conversations.reactions import is_reaction

# Form-like text ("loan_purpose=heloc", "timeline: 0_30_days") is not something a borrower says.
_KEY_VALUE = re.compile(r"\b[a-z]+_[a-z_]+\s*[=:]\s*[\w.-]+|\b\w+\s*=\s*[\w.-]+|[{}\[\]]", re.IGNORECASE)
# A lender's name is not a loan type nor a state: "Veterans United", "Navy Federal", "Texas Capital".
_LENDERS = re.compile(
    r"\b(veterans united|navy federal|usaa|rocket( mortgage)?|quicken( loans)?|chase|wells fargo|bank of america|"
    r"us bank|u\.s\. bank|citi(bank)?|penny ?mac|mr\.? cooper|guaranteed rate|guild mortgage|movement mortgage|"
    r"fairway|loan ?depot|better\.com|freedom mortgage|united wholesale|uwm|caliber|new american funding|"
    r"cross ?country|flagstar|pnc|truist|regions|huntington|academy mortgage|amerisave|carrington|"
    r"texas capital|first texas|pentagon federal|penfed|nfcu)\b",
    re.IGNORECASE,
)
_LENDER_SUFFIX = re.compile(
    r"\b([A-Z][\w&'.-]*\s+){1,3}(Bank|Mortgage|Home Loans|Lending|Financial|Funding|Federal|Credit Union|FCU)\b"
)
_LENDER_AFTER = re.compile(
    r"\b(preapproved|pre-approved|pre approved|prequalified|loan|mortgage|lender|refi|approved|approval)\s+"
    r"(with|through|from|at|by|thru)\s+((?:[A-Z][\w&'.-]*\s?){1,3})"
)
_EMOJI_ANSWERS = {
    "yes": "👍 👌 ✅ ✔ ☑ 💯 🙌 👏 🤙 👊 ✊ 😀 😃 😄 😁 🙂 😊 🥳 🎉 ❤ 💪",
    "no": "👎 ❌ ✖ 🚫 🙅 ⛔ 🙁 ☹",
    "not sure": "🤷 🤔",
}
_EMOJI = {e: word for word, emojis in _EMOJI_ANSWERS.items() for e in emojis.split()}
# Skin tones, gender signs and variation selectors ride along with the emoji they change.
_EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\u200d\u2640\u2642\ufe0f]")
_CORRECTION = re.compile(
    r"\b(actually|actualy|scratch that|i meant|i mean|meant to say|sorry|correction|wait|oops|my bad|make that|"
    r"not \w+,|en realidad|perdon|quise decir|mejor dicho|me equivoque|disculpa|correccion)\b"
)
_SKIP = re.compile(
    r"\b(rather not (say|share)|prefer not to (say|share)|skip( it| that| this)?|pass|next question|none of your business|"
    r"prefiero no (decir|decirlo)|siguiente pregunta)\b"
)
_YES = re.compile(
    r"^(yes+|yeah|yea|yep|yup|ya|yah|ye|y|yessir|yes sir|yes ma'?am|sure( is)?|correct|right|absolutely|definitely|"
    r"of course|affirmative|uh huh|mhm|si|simon|claro( que si)?|correcto|exacto|asi es|por supuesto|aja|i am|i do|"
    r"we are|we do|i have|we have|i did|we did|already|totally|for sure|indeed|that'?s right|that'?s correct|"
    r"it is|ok yes|ok si|yes it is|sure is|you bet|bet|yes indeed|of course|yeppers|uh-huh|si se[nñ]or)\b"
)
_NO = re.compile(
    r"^(no+|nope|nah|nay|n|no sir|no ma'?am|not yet|not really|negative|never|none|not at all|todavia no|aun no|"
    r"no todavia|nel|tampoco|i'm not|we'?re not|we are not|i don'?t|we don'?t|i haven'?t|we haven'?t|haven'?t|"
    r"not|no yet|nada|it'?s not|it is not|isn'?t|don'?t|do not|no tengo|no tenemos|working on (it|that)|"
    r"in progress|en proceso|en eso estamos)\b"
)
_UNSURE = re.compile(
    r"^(not sure|unsure|i don'?t know|don'?t know|no idea|no clue|not certain|no se|no estoy segur\w*|ni idea|"
    r"quien sabe|hard to say|who knows)\b"
)


# A polite no, or a wish to keep to texts: said to an offer ("want an officer to call?"), it
# declines the offer; said to anything else it is read as nothing at all.
_NO_TO_AN_OFFER = re.compile(
    r"^(?:(?:no|nope|nah|naw)\W+)?(?:(?:i'?m|we'?re|i am|we are) (?:all )?(?:good|set|fine|ok|okay)|"
    r"(?:i'?ll|we'?ll) pass|(?:estoy|estamos) bien|(?:no need|not necessary|no hace falta|no es necesario))\b"
    r"|\b(?:(?:just|only) (?:by )?(?:text|texting|texts|sms|message|messages)|"
    r"(?:text|texting|texts|messages?|sms) (?:is|are|works?) (?:fine|ok|okay|good|better|great|best)|"
    r"(?:prefer|rather) (?:to )?(?:text|texting|just text)|keep (?:it )?(?:to|by|over) text|"
    r"(?:por|solo por) (?:mensaje|texto)s?|(?:prefiero|mejor) (?:por )?(?:mensaje|texto)s?)\b"
)


def declines_officer_offer(message: str, state: dict) -> bool:
    """Our last text offered a loan officer and this one says no to that offer, and only to it:
    "no thanks", "nah im good", "just texting is fine", "no gracias". A refusal of everything
    ("not interested"), a wish to stop, anger or an ending is not an answer to the offer."""
    if flow.with_defaults(state)["pending"].get("field") != "offer_officer":
        return False
    commands = read(message, Context(offered_officer=True))
    refusing = of_kind(commands, Kind.DECLINE, Kind.END, Kind.THIRD_PARTY, Kind.HANDOFF)
    return bool(of_kind(commands, Kind.DENY)) and not refusing


@dataclass(frozen=True)
class Context:
    """What the reader may know besides the text: what we just asked, and today."""

    asked: str | None = None
    numbered: bool = False
    now: datetime | None = None
    offered_officer: bool = False  # our last text asked "want a loan officer to reach out?"


def read(message: str, context: Context) -> list[Command]:
    """Every command in one borrower turn (several texts of a burst arrive joined by newlines)."""
    lines = [line for line in message.splitlines() if line.strip()]
    reactions = [line for line in lines if is_reaction(line)]
    words = "\n".join(line for line in lines if not is_reaction(line))
    commands = [Command(Kind.TAPBACK, words=line[:80]) for line in reactions]
    if not words.strip():
        return commands
    return commands + _read_words(words, context)


def _read_words(raw: str, context: Context) -> list[Command]:
    raw = _answers_from_emoji(_without_lenders(_KEY_VALUE.sub(" ", raw)))
    text = normalize(raw)
    signals = intents.detect(text)
    ending = _ending(signals, text)
    if ending:
        return [ending]
    commands = _field_commands(raw, text, context)
    commands += _yes_no(text, correcting=bool(_CORRECTION.search(text)))
    if (
        context.offered_officer
        and not of_kind(commands, Kind.AFFIRM, Kind.DENY)
        and _NO_TO_AN_OFFER.search(text)
    ):
        commands.append(Command(Kind.DENY, words=text))  # "I'm good", "text is fine": no to the call
    commands += [Command(Kind.QUESTION, topic=name, words=text) for name in signals.faq]
    if signals.question:
        commands.append(Command(Kind.QUESTION, topic="other", words=text))
    if signals.handoff:
        commands.append(Command(Kind.HANDOFF, topic=signals.handoff, words=text))
    if signals.not_ready:
        kind = Kind.DECLINE if signals.not_ready == "declined" else Kind.LATER
        commands.append(Command(kind, topic="not_interested" if kind == Kind.DECLINE else "", words=text))
    if _SKIP.search(text):
        commands.append(Command(Kind.SKIP, field=context.asked or "", words=text))
    commands += [Command(Kind.CHITCHAT, topic=name, words=text) for name in signals.chitchat]
    return commands


def _ending(signals: intents.Signals, text: str) -> Command | None:
    """Someone the conversation is not for: it ends, whatever else the text says."""
    if signals.disqualify:
        return Command(Kind.END, topic=signals.disqualify, words=text)
    if signals.third_party:
        return Command(Kind.THIRD_PARTY, topic=signals.third_party, words=text)
    if signals.other_lender:
        return Command(Kind.DECLINE, topic="other_lender", words=text)
    return None


def _field_commands(raw: str, text: str, context: Context) -> list[Command]:
    correcting = bool(_CORRECTION.search(text))
    commands = []
    found = parser.extract(raw, asked=context.asked, numbered=context.numbered, now=context.now)
    for field, value in found.items():
        kind = Kind.IMPLIED if value.implied else Kind.CORRECT if correcting else Kind.SET
        commands.append(Command(kind, field=field, value=value.value, words=value.words))
    implied_va = _implied_va(text, found)
    return commands + implied_va


_SERVICE = re.compile(
    r"\b(veteran|vet|military|active duty|army|navy|air force|marines?|national guard|usmc|militar)\b"
)


def _implied_va(text: str, found: dict) -> list[Command]:
    """A veteran may want a VA loan; only their "VA loan" says they do."""
    if "loan_type" in found or not _SERVICE.search(text):
        return []
    return [Command(Kind.IMPLIED, field="loan_type", value="va", words=text)]


# Words before a yes or no that do not change it: "oops, I meant no", "ok yes".
_LEAD_IN = re.compile(
    r"^(ok|okay|oh|well|um+|uh+|hmm+|so|and|pues|bueno|oops|sorry|actually|wait|perdon|i meant|i mean)\W+"
)


_EDGE_SYMBOLS = re.compile(r"^[\W_]+|[\W_]+$")
# "yes, well no, not yet": a yes or no taken back after these as well as after a correction.
_TAKEN_BACK = re.compile(r"\b(well|or rather|hmm+|i guess not|bueno no)\b")

# "well i'm the agent lol so yes": a yes or no the borrower reasons their way to, at the end.
_CONCLUDED = re.compile(
    r"\b(so|then|entonces|pues|anyway|anyways|but|pero)\W+(yes+|yeah|yep|yup|yea|no|nope|nah|si)\W*$"
)


def _yes_no(text: str, *, correcting: bool) -> list[Command]:
    stripped = _without_lead_in(_EDGE_SYMBOLS.sub("", text))  # "🙋‍♀️ yes": the emoji rides along
    kind = _short_kind(stripped)
    if kind is None:
        concluded = _CONCLUDED.search(stripped)
        return [Command(_short_kind(concluded.group(2)), words=text)] if concluded else []
    corrected = _self_corrected(stripped)
    if corrected:
        return [Command(corrected, words=text)]  # "no. wait yes we got it": the answer it ends on
    if _NO_THEN_CORRECTION.match(stripped):
        return []  # "no wait, it's in South Carolina": the no belongs to the correction that follows
    return [Command(kind, words=text, topic="correction" if correcting else "")]


_NO_THEN_CORRECTION = re.compile(
    r"^(no+|nope|nah)\W+(wait|sorry|actually|i meant|i mean|my bad|oops|perdon)\b"
)


def _without_lead_in(text: str) -> str:
    while _LEAD_IN.match(text):
        text = _LEAD_IN.sub("", text, count=1)
    return text


def _short_kind(text: str) -> str | None:
    if _UNSURE.match(text):
        return Kind.UNSURE
    if _NO.match(text):
        return Kind.DENY
    if _YES.match(text):
        return Kind.AFFIRM
    return None


def _self_corrected(text: str) -> str | None:
    """A yes or no the borrower turns around in the same text, after "wait", "sorry", "actually"."""
    markers = sorted([*_CORRECTION.finditer(text), *_TAKEN_BACK.finditer(text)], key=lambda m: m.start())
    for marker in reversed(markers):
        if marker.start() > 0:
            kind = _short_kind(_without_lead_in(text[marker.end() :].strip(" .!,")))
            if kind:
                return kind
    return None


def _without_lenders(raw: str) -> str:
    raw = _LENDER_AFTER.sub(lambda m: f"{m.group(1)} {m.group(2)} LENDER ", raw)
    return _LENDER_SUFFIX.sub("LENDER", _LENDERS.sub("LENDER", raw))


def _answers_from_emoji(raw: str) -> str:
    """👍 and 👎 (any skin tone) read as yes and no, where no words say otherwise."""
    plain = _EMOJI_MODIFIERS.sub("", raw)
    answers = [word for emoji, word in _EMOJI.items() if emoji in plain]
    if not answers:
        return raw
    if re.search(r"[a-zA-Z]{2,}|\d", plain):
        return raw  # "yes 👍", "lol 😂", "👌 760": the words and numbers speak
    return answers[0] if len(set(answers)) == 1 else raw
