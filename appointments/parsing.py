"""A borrower's answer to "which time works?": "2", "tomorrow at 3", "Thursday afternoon",
"mañana a las 10". Read in the borrower's own time zone, so DST changes fall where they should."""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5,
    "sat": 5, "sunday": 6, "sun": 6, "lunes": 0, "martes": 1, "miercoles": 2, "jueves": 3,
    "viernes": 4, "sabado": 5, "domingo": 6,
}  # fmt: skip
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "primera": 1, "primero": 1,
            "segunda": 2, "segundo": 2, "tercera": 3, "tercero": 3}  # fmt: skip
# Parts of the day, local hours [start, end).
PARTS = {
    "morning": (8, 12), "manana por la manana": (8, 12), "afternoon": (12, 17), "tarde": (12, 17),
    "evening": (17, 21), "tonight": (17, 21), "noche": (17, 21), "lunch": (12, 13), "mediodia": (12, 13),
}  # fmt: skip

_CHOICE = re.compile(
    r"^\s*(?:#|no\.?\s*|number\s*|option\s*|opcion\s*|la\s+)?([1-9])\s*[.!)]?\s*(?:please|pls|por favor|works|is good|esta bien)?[.!]*\s*$"
)
_ORDINAL = re.compile(
    r"\b(?:the\s+|la\s+|el\s+)?(" + "|".join(ORDINALS) + r")\b(?:\s+(?:one|option|time|opcion))?"
)
_TIME = re.compile(
    r"\b(?:at|@|a las|a la|around|about|by)?\s*(\d{1,2})(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?|am|pm)?(?![\d:/])"
)
_AFTER = re.compile(r"\b(?:after|despues de las?|from)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")
_BEFORE = re.compile(r"\b(?:before|antes de las?)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?")


@dataclass(frozen=True)
class Answer:
    """One of: `choice` (1-based index into the offered times), an exact `at`, or a range."""

    choice: int | None = None
    at: datetime | None = None
    start: datetime | None = None
    end: datetime | None = None


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


def parse_answer(text: str, *, now: datetime, zone: ZoneInfo, offered: int = 3) -> Answer | None:
    """What the borrower picked, or None when the text is not about a time."""
    words = normalize(text)
    if match := _CHOICE.match(words):
        number = int(match.group(1))
        return Answer(choice=number) if 1 <= number <= offered else None
    if (match := _ORDINAL.search(words)) and not _TIME.search(_strip_ordinal(words, match)):
        return Answer(choice=ORDINALS[match.group(1)]) if ORDINALS[match.group(1)] <= offered else None
    local_now = now.astimezone(zone)
    day = _day(words, local_now.date())
    return _exact(words, day, local_now, zone) or _range(words, day, local_now, zone)


def _strip_ordinal(words: str, match) -> str:
    return words[: match.start()] + words[match.end() :]


def _day(words: str, today: date) -> date | None:
    if re.search(r"\b(day after tomorrow|pasado manana)\b", words):
        return today + timedelta(days=2)
    if re.search(r"\b(tomorrow|tmrw|tmr|manana)\b", words) and not re.search(r"\bpor la manana\b", words):
        return today + timedelta(days=1)
    if re.search(r"\b(today|tonight|this (morning|afternoon|evening)|hoy|esta (tarde|noche))\b", words):
        return today
    for name, weekday in WEEKDAYS.items():
        if re.search(rf"\b{name}\b", words):
            ahead = (weekday - today.weekday()) % 7 or 7  # "Thursday" on a Thursday: next week's
            if re.search(rf"\b(this|este)\s+{name}\b", words) and weekday == today.weekday():
                ahead = 0
            return today + timedelta(days=ahead)
    return None


def _hour(hour: int, minute: int, meridiem: str | None, words: str) -> time | None:
    if hour > 23 or minute > 59:
        return None
    meridiem = (meridiem or "").replace(".", "")
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    elif not meridiem and hour <= 7:
        hour += 12  # "at 3": nobody books a mortgage call at 3 in the morning
    elif not meridiem and "tarde" in words and hour < 12:
        hour += 12
    return time(hour, minute)


def _exact(words: str, day: date | None, local_now: datetime, zone: ZoneInfo) -> Answer | None:
    if _AFTER.search(words) or _BEFORE.search(words):
        return None
    if re.search(r"\b(noon|mediodia)\b", words):
        clock = time(12, 0)
    else:
        match = next((m for m in _TIME.finditer(words) if _looks_like_time(m, day)), None)
        if match is None:
            return None
        clock = _hour(int(match.group(1)), int(match.group(2) or 0), match.group(3), words)
        if clock is None:
            return None
    day = day or local_now.date()
    at = datetime.combine(day, clock, tzinfo=zone)
    if at <= local_now and day == local_now.date():
        at = datetime.combine(day + timedelta(days=1), clock, tzinfo=zone)  # "at 3" after 3: tomorrow
    return Answer(at=at)


def _looks_like_time(match, day: date | None) -> bool:
    """ "3pm", "at 3", "3:30", or a bare number after a day word ("tomorrow 3")."""
    raw = match.group(0)
    return bool(
        match.group(3) or match.group(2) or re.match(r"\s*(at|@|a las|a la|around|about|by)\b", raw) or day
    )


def _range(words: str, day: date | None, local_now: datetime, zone: ZoneInfo) -> Answer | None:
    start_hour, end_hour = 8, 21
    part = next((hours for name, hours in PARTS.items() if re.search(rf"\b{name}\b", words)), None)
    if part:
        start_hour, end_hour = part
    after, before = _AFTER.search(words), _BEFORE.search(words)
    if after:
        clock = _hour(int(after.group(1)), int(after.group(2) or 0), after.group(3), words)
        start_hour = clock.hour + (1 if clock.minute else 0) if clock else start_hour
    if before:
        clock = _hour(int(before.group(1)), int(before.group(2) or 0), before.group(3), words)
        end_hour = clock.hour if clock else end_hour
    if day is None and not (part or after or before):
        return None
    day = day or local_now.date()
    start = datetime.combine(day, time(min(start_hour, 23)), tzinfo=zone)
    end = (
        datetime.combine(day, time(min(end_hour, 23)), tzinfo=zone)
        if end_hour < 24
        else start + timedelta(hours=1)
    )
    if end <= local_now:  # "this afternoon" said in the evening, "after 5" said at 6: the next day
        start, end = start + timedelta(days=1), end + timedelta(days=1)
    return Answer(start=start, end=end)
