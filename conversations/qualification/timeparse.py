"""When the borrower means to move: "asap", "in 2-3 months", "next spring", "en unos meses"."""

import re
from datetime import datetime

from leads.choices import Timeline

NUMBER_WORDS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple": 2, "a couple of": 2,
    "couple": 2, "couple of": 2, "few": 3, "a few": 3, "several": 4, "un": 1, "una": 1,
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "un par de": 2, "par de": 2, "unos": 3,
    "unas": 3, "unos cuantos": 3, "unos pocos": 3, "half a": 0.5, "medio": 0.5,
}  # fmt: skip
_WORDS = "|".join(sorted(map(re.escape, NUMBER_WORDS), key=len, reverse=True))
_NUMBER = rf"(\d+(?:\.\d+)?|\b(?:{_WORDS})\b)"
_UNIT_MONTHS = {
    "day": 1 / 30,
    "dia": 1 / 30,
    "week": 0.25,
    "semana": 0.25,
    "month": 1,
    "mes": 1,
    "year": 12,
    "ano": 12,
}
_UNIT = r"(days?|dias?|weeks?|semanas?|months?|mes|meses|years?|anos?)"
# "in 2-3 months", "60 to 90 days", "6+ months", "en 2 o 3 meses"
_DURATION = re.compile(
    rf"(more than|over|at least|mas de)?\s*{_NUMBER}\s*(?:(?:-|to|or|a|o|/)\s*{_NUMBER}\s*)?"
    rf"(\+|plus|ish)?\s*{_UNIT}\b(\+| or (?:more|longer)| plus|\s*\+)?"
)
# "a month or two", "6 months to a year": the upper end follows the unit.
_UPPER_AFTER = re.compile(rf"^\s*(?:-|to|or|a|o)\s*{_NUMBER}(?:\s*{_UNIT}\b)?")
# Durations that are not a timeline: "30 year fixed", "lived here 10 years", "2 years ago".
_NOT_AFTER = re.compile(r"^\s*(fixed|loan|mortgage|term|arm|old|ago|rate|at (my|the)|on the job|de edad)\b")
_NOT_BEFORE = re.compile(
    r"\b(been|owned|lived|had|worked|job|employed|past|last|hace|desde hace)\b[\w\s]{0,12}$"
)

MONTHS = {
    "january": 1, "jan": 1, "enero": 1, "february": 2, "feb": 2, "febrero": 2, "march": 3,
    "marzo": 3, "april": 4, "apr": 4, "abril": 4, "may": 5, "mayo": 5, "june": 6, "junio": 6,
    "july": 7, "julio": 7, "august": 8, "aug": 8, "agosto": 8, "september": 9, "sept": 9,
    "septiembre": 9, "october": 10, "oct": 10, "octubre": 10, "november": 11, "nov": 11,
    "noviembre": 11, "december": 12, "dec": 12, "diciembre": 12,
}  # fmt: skip
# Month names that are also ordinary words need a preposition before them ("by may").
_AMBIGUOUS_MONTHS = {"may", "march", "jan", "apr", "aug", "sept", "oct", "nov", "dec", "feb"}
# The middle month of each season: "next spring" is about April.
SEASONS = {
    "spring": 4, "primavera": 4, "summer": 7, "verano": 7, "fall": 10, "autumn": 10,
    "otono": 10, "winter": 1, "invierno": 1,
    # Moments people plan around, at the month they fall in.
    "school lets out": 6, "school gets out": 6, "school is out": 6, "school's out": 6,
    "end of the school year": 6, "school year ends": 6, "tax season": 4, "tax time": 4,
    "tax refund": 3, "easter": 4, "thanksgiving": 11, "the holidays": 12, "new year": 1,
    "valentines": 2, "valentine's day": 2, "spring break": 3, "mother's day": 5, "mothers day": 5,
    "memorial day": 5, "fourth of july": 7, "4th of july": 7, "july 4th": 7, "labor day": 9,
    "halloween": 10, "dia de las madres": 5, "dia de accion de gracias": 11,
    "mid year": 6, "midyear": 6, "middle of the year": 6, "mitad de ano": 6, "fin de clases": 6, "fin del ano escolar": 6, "accion de gracias": 11, "semana santa": 4,
}  # fmt: skip
_PREPOSITION = (
    r"(?:in|by|around|before|after|until|til|till|for|next|this|early|late|mid|end of|en|para|"
    r"antes de|despues de|a finales de|a principios de|el proximo|este)\s+(?:the\s+|de\s+)?"
)
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_MONTH_AFTER_PREPOSITION = re.compile(rf"\b{_PREPOSITION}({_MONTH_NAMES})\b")
_MONTH_ANYWHERE = re.compile(rf"\b({_MONTH_NAMES})\b")
_SEASON = re.compile(r"\b(" + "|".join(sorted(map(re.escape, SEASONS), key=len, reverse=True)) + r")\b")
_YEAR_END = re.compile(r"\b(end of (the )?year|fin de ano|finales de ano|fin del ano|christmas|navidad)\b")
_NEXT_YEAR = re.compile(r"\b(next year|proximo ano|ano que viene)\b")

PHRASES = [
    (Timeline.MONTHS_1_3, r"\b(end of next month|finales del proximo mes|fin del (proximo )?mes que viene)\b"),
    (Timeline.DAYS_0_30, r"\b(by|before|on|around) the \d{1,2}(st|nd|rd|th)\b|\b(lo mas (pronto|rapido) posible|en estas semanas)\b"),
    (Timeline.UNSURE, r"\b(no (timeline|time ?frame|set date|date) yet|no timeline|no time ?frame|sin fecha)\b"),
    (Timeline.MONTHS_6_PLUS, r"\b(not for a while|be a while|no rush|no hurry|"
     r"down the road|someday|some day|eventually|just (browsing|researching|window shopping)|"
     r"window shopping|not any ?time soon|long term|next year|a year from now|"
     r"solo (estoy )?(viendo|mirando|curioseando)|no hay prisa|sin prisa|algun dia|el proximo ano|"
     r"el ano que viene)\b"),
    (Timeline.DAYS_0_30, r"\b(asap|right away|immediately|this week|next week|this month|next month|ready now|"
     r"this weekend|within (the|a) month|next few days|a few days|yesterday|like now|"
     r"(as )?soon as (possible|we can|i can|we could|i could|you can)|as fast as|ready to go|ready now|urgent|lo antes posible|cuanto antes|ya mismo|"
     r"inmediatamente|este mes|este mismo mes|esta semana|la proxima semana|el proximo mes|el mes que viene|"
     r"la semana que viene|el mes entrante|ahorita|closing soon|"
     r"close soon|under contract|in escrow|bajo contrato)\b"),
    (Timeline.MONTHS_1_3, r"\b(next couple months)\b"),
    (Timeline.MONTHS_1_3, r"\b(soon|pretty soon|very soon|pronto|muy pronto)\b"),
]  # fmt: skip
# "Soon" says little: "pretty soon, next few weeks" is the few weeks.
_VAGUE = re.compile(r"\b(soon|pronto)\b")
_PHRASES = [(value, re.compile(pattern)) for value, pattern in PHRASES]


def bucket(months: float) -> str:
    if months <= 1:
        return Timeline.DAYS_0_30
    if months <= 3:
        return Timeline.MONTHS_1_3
    if months <= 6:
        return Timeline.MONTHS_3_6
    return Timeline.MONTHS_6_PLUS


def _number(word: str) -> float:
    return float(word) if word[0].isdigit() else NUMBER_WORDS[word]


def _unit_months(unit: str) -> float:
    unit = unit.rstrip("s") if unit not in ("mes", "meses") else "mes"
    return _UNIT_MONTHS[unit]


def _upper_after(text: str, unit_months: float) -> float | None:
    match = _UPPER_AFTER.match(text)
    if not match:
        return None
    number, unit = match.groups()
    return _number(number) * (_unit_months(unit) if unit else unit_months)


# "not 30 days, more like 2-3 months": the duration turned down.
_DENIED_DURATION = re.compile(r"\b(not|no|isn'?t|nunca)\s*(in\s+|en\s+|within\s+)?$")


def _duration(text: str) -> str | None:
    for match in _DURATION.finditer(text):
        more, low, high, suffix, unit, after = match.groups()
        rest, before = text[match.end() :], text[: match.start()]
        if _NOT_AFTER.match(rest) or _NOT_BEFORE.search(before) or _DENIED_DURATION.search(before):
            continue
        if unit.startswith(("year", "ano")) and _number(low) >= 10:
            continue  # "a 30 yr", "15 year": a loan's term, not when they move
        per_unit = _unit_months(unit)
        months = _number(high or low) * per_unit
        months = max(months, _upper_after(rest, per_unit) or 0)
        open_ended = bool(more or (suffix and suffix != "ish") or after)
        if open_ended and months >= 6:
            return Timeline.MONTHS_6_PLUS
        return bucket(months + (0.01 if open_ended else 0))
    return None


def _named_month(text: str, *, lenient: bool = False) -> int | None:
    """The month or season named; `lenient` reads "may" or "feb" alone (a short answer)."""
    match = _MONTH_AFTER_PREPOSITION.search(text)
    if match:
        return MONTHS[match.group(1)]
    for match in _MONTH_ANYWHERE.finditer(text):
        if lenient or match.group(1) not in _AMBIGUOUS_MONTHS:
            return MONTHS[match.group(1)]
    season = _SEASON.search(text)
    return SEASONS[season.group(1)] if season else None


_YEAR = re.compile(r"(?<![$\d])\b(20[2-9]\d)\b")


# "end of feb", "late spring": half a month later than the month itself; "early march" earlier.
_LATE = re.compile(r"\b(end of|late|by the end of|finales de|fin de)\s+(the\s+)?\w+")
_EARLY = re.compile(r"\b(early|beginning of|start of|principios de|before|antes de)\s+(the\s+)?\w+")


# "Q2", "2nd quarter", "segundo trimestre".
_QUARTER = re.compile(
    r"\b(?:q([1-4])|([1-4])(?:st|nd|rd|th) quarter|(first|second|third|fourth) quarter|"
    r"(primer|segundo|tercer|cuarto) trimestre)\b"
)
_QUARTER_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "primer": 1,
    "segundo": 2,
    "tercer": 3,
    "cuarto": 4,
}


def _quarter_month(text: str, now: datetime) -> int | None:
    """The middle month of the quarter named; its last month when we are in it already."""
    match = _QUARTER.search(text)
    if not match:
        return None
    digit, ordinal, word, spanish = match.groups()
    quarter = int(digit or ordinal) if (digit or ordinal) else _QUARTER_WORDS[word or spanish]
    return 3 * quarter if (now.month - 1) // 3 + 1 == quarter else 3 * quarter - 1


def _calendar(text: str, now: datetime, *, lenient: bool = False) -> str | None:
    """A month, season or year named: how far ahead of today it is."""
    if _YEAR_END.search(text):
        return bucket(max((12 - now.month), 0.5))
    year = _YEAR.search(text)
    if year and int(year.group(1)) == now.year and _LATE.search(text):
        return bucket(max(11 - now.month, 0.5))  # "late 2026": around November
    if year and int(year.group(1)) > now.year:
        # "2027": at least the months left in this year away; late in a year, too close to tell.
        far = int(year.group(1)) > now.year + 1 or 13 - now.month >= 6
        return Timeline.MONTHS_6_PLUS if far else None
    month = _quarter_month(text, now) or _named_month(text, lenient=lenient)
    if month is None:
        return None
    ahead = (month - now.month) % 12
    if (_NEXT_YEAR.search(text) and ahead < 6) or (ahead == 0 and re.search(r"\bnext\b", text)):
        ahead += 12
    ahead += 0.5 if _LATE.search(text) else -0.5 if _EARLY.search(text) else 0
    return bucket(max(ahead, 0.5))


def parse_timeline(text: str, now: datetime) -> str | None:
    """A normalized text -> a Timeline value, or None when it says nothing about timing."""
    found = _duration(text) or _calendar(text, now)
    if found:
        return found
    for value, pattern in _PHRASES:
        if pattern.search(text):
            return value
    return None


# Words that make a month or season named in a sentence about the move, not about a wedding.
_TIMING_CONTEXT = re.compile(
    r"\b(buy\w*|purchas\w*|mov(e|ing)|clos(e|ing)|refi\w*|ready|look\w*|plan\w*|hop(e|ing)|want\w*|"
    r"target\w*|lease|start\w*|begin\w*|by|before|after|until|til|till|around|sometime|next|this|early|late|"
    r"mid|end of|asap|need (to|it)|compr\w*|mud\w*|cerrar|list[oa]s?|para|antes|despues|quer\w*|pens\w*|"
    r"esper\w*|proximo|este|a finales|a principios)\b"
)


def parse_timeline_in_context(text: str, now: datetime, *, asked: bool) -> str | None:
    """Like parse_timeline, but a month or season counts only in words about timing (or as a
    short answer to our question): "we got married in june" says nothing about the move."""
    found, vague = [], []
    for clause in _clauses(text):
        value = _clause_timeline(clause, now, asked=asked)
        if value:
            said_little = _clause_timeline(_VAGUE.sub(" ", clause), now, asked=asked) is None
            (vague if said_little else found).append(value)
    found = found or vague
    if not found:
        return None
    return found[-1] if _CORRECTION.search(text) else found[0]


_CORRECTION = re.compile(
    r"\b(actually|sorry|i meant|i mean|wait|correction|make that|scratch that|perdon|quise decir)\b"
)


_PAST = re.compile(r"\b(got|was|were|had|did|went|came|ago|last|\w{3,}ed)\b")
_NOW = re.compile(r"\b(right now|(?<!for )now|today|tomorrow|hoy|manana|ahora( mismo)?)\b")


# "what's the rate right now?", "la tasa ahorita": the "now" is the rate's, not the move's.
_ABOUT_RATES = re.compile(r"\b(rates?|tasas?|interest|interes(es)?|apr|payments?|pagos?|points)\b")


_RATE_NOW = re.compile(
    r"\b(right now|rn|now|today'?s|today|currently|these days|ahorita|ahora|hoy|actualmente)\b"
)


def _clause_timeline(clause: str, now: datetime, *, asked: bool) -> str | None:
    if _ABOUT_RATES.search(clause):
        clause = _RATE_NOW.sub(" ", clause)  # "lower my rate asap" keeps its asap
    found = _duration(clause) or _phrase(clause)
    if found:
        return found
    short_answer = asked and len(clause.split()) <= 4
    if (
        short_answer
        and _NOW.search(clause)
        and not _DENIED_BEFORE.search(clause[: _NOW.search(clause).start()])
    ):
        return Timeline.DAYS_0_30  # "like right now", "today", as the answer to "when?"
    # In the answer to "when?", a month is the when ("when school lets out in june"), unless it
    # is about something past ("we got married in june").
    if _TIMING_CONTEXT.search(clause) or (asked and not _PAST.search(clause)):
        return _calendar(clause, now, lenient=short_answer)
    return None


# "ahorita no", "not right away", "not refinancing right now": the words of a timeline, turned down.
_DENIED_BEFORE = re.compile(r"\b(not|no|nunca|n't)\b[^,;.]*$")
_DENIED_AFTER = re.compile(r"^\s+no\b")


def _phrase(text: str) -> str | None:
    for value, pattern in _PHRASES:
        for match in pattern.finditer(text):
            denied = _DENIED_BEFORE.search(text[: match.start()]) or _DENIED_AFTER.match(text[match.end() :])
            if value == Timeline.MONTHS_6_PLUS or not denied:
                return value
    return None


def _clauses(text: str) -> list[str]:
    breaks = (
        r"[.;!?\n]+|,|\b(?:but|pero|so|because|since|sorry|actually|i meant|i mean|make that|scratch that)\b"
    )
    return [c.strip() for c in re.split(breaks, text) if c and c.strip()]
