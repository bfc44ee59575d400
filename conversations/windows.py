"""Contact windows: when, in the borrower's own local time, a scheduled text may go out."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
from django.conf import settings
from phonenumbers import timezone as phone_timezones

from conversations.models import ContactRule, Direction, Kind, Message

# Where a state spans two zones, the zone most of its people live in.
STATE_TIMEZONES = {
    "AL": "America/Chicago", "AK": "America/Anchorage", "AZ": "America/Phoenix",
    "AR": "America/Chicago", "CA": "America/Los_Angeles", "CO": "America/Denver",
    "CT": "America/New_York", "DE": "America/New_York", "DC": "America/New_York",
    "FL": "America/New_York", "GA": "America/New_York", "HI": "Pacific/Honolulu",
    "ID": "America/Boise", "IL": "America/Chicago", "IN": "America/Indiana/Indianapolis",
    "IA": "America/Chicago", "KS": "America/Chicago", "KY": "America/New_York",
    "LA": "America/Chicago", "ME": "America/New_York", "MD": "America/New_York",
    "MA": "America/New_York", "MI": "America/Detroit", "MN": "America/Chicago",
    "MS": "America/Chicago", "MO": "America/Chicago", "MT": "America/Denver",
    "NE": "America/Chicago", "NV": "America/Los_Angeles", "NH": "America/New_York",
    "NJ": "America/New_York", "NM": "America/Denver", "NY": "America/New_York",
    "NC": "America/New_York", "ND": "America/Chicago", "OH": "America/New_York",
    "OK": "America/Chicago", "OR": "America/Los_Angeles", "PA": "America/New_York",
    "RI": "America/New_York", "SC": "America/New_York", "SD": "America/Chicago",
    "TN": "America/Chicago", "TX": "America/Chicago", "UT": "America/Denver",
    "VT": "America/New_York", "VA": "America/New_York", "WA": "America/Los_Angeles",
    "WV": "America/New_York", "WI": "America/Chicago", "WY": "America/Denver",
    "PR": "America/Puerto_Rico", "GU": "Pacific/Guam", "VI": "America/St_Thomas",
    "AS": "Pacific/Pago_Pago", "MP": "Pacific/Saipan",
}  # fmt: skip
# When nothing tells us where the borrower is, assume the earliest-rising zone that is still
# dark: texting a Pacific borrower at 8:00 Eastern would wake them at 5:00.
FALLBACK_TIMEZONE = "America/Los_Angeles"


@dataclass(frozen=True)
class Window:
    start_hour: int
    end_hour: int
    max_per_24h: int | None
    paused: bool


def borrower_state(lead) -> str | None:
    return lead.property_state or lead.state or None


def borrower_timezone(lead) -> ZoneInfo:
    """The borrower's zone: from the property state, the contact state, then the area code."""
    state = borrower_state(lead)
    if state in STATE_TIMEZONES:
        return ZoneInfo(STATE_TIMEZONES[state])
    try:
        zones = phone_timezones.time_zones_for_number(phonenumbers.parse(lead.phone, "US"))
    except phonenumbers.NumberParseException:
        zones = ()
    known = [z for z in zones if z != "Etc/Unknown"]
    return ZoneInfo(known[0] if len(known) == 1 else FALLBACK_TIMEZONE)


def window_for(lead) -> Window:
    """The strictest of the default window, the all-states rule and the state's own rule."""
    rules = {r.state: r for r in ContactRule.objects.filter(state__in=["*", borrower_state(lead) or "*"])}
    start, end = settings.CONTACT_WINDOW_START_HOUR, settings.CONTACT_WINDOW_END_HOUR
    caps, paused = [], False
    for rule in rules.values():
        start, end = max(start, rule.start_hour), min(end, rule.end_hour)
        paused = paused or rule.paused
        if rule.max_per_24h is not None:
            caps.append(rule.max_per_24h)
    return Window(start, end, min(caps) if caps else None, paused)


def is_inside(window: Window, local: datetime) -> bool:
    return window.start_hour <= local.hour < window.end_hour


def next_opening(lead, after: datetime) -> datetime:
    """The first moment at or after `after` that lies inside the borrower's window."""
    window = window_for(lead)
    local = after.astimezone(borrower_timezone(lead))
    if is_inside(window, local):
        return after
    day = local.date() if local.hour < window.start_hour else local.date() + timedelta(days=1)
    opening = datetime(day.year, day.month, day.day, window.start_hour, tzinfo=local.tzinfo)
    return opening.astimezone(after.tzinfo)


def texts_in_last_24h(lead, now: datetime) -> int:
    """Texts counted against the cap: everything we sent that the borrower did not ask for."""
    return (
        Message.objects.filter(
            lead=lead, direction=Direction.OUTBOUND, created_at__gt=now - timedelta(hours=24)
        )
        .exclude(kind__in=[Kind.REPLY, Kind.COMPLIANCE, Kind.FIRST_CONTACT])
        .count()
    )


def block_reason(lead, now: datetime) -> str | None:
    """Why a scheduled text may not go out now, or None."""
    window = window_for(lead)
    if window.paused:
        return "paused"
    if not is_inside(window, now.astimezone(borrower_timezone(lead))):
        return "outside_contact_window"
    if window.max_per_24h is not None and texts_in_last_24h(lead, now) >= window.max_per_24h:
        return "frequency_cap"
    return None
