"""Contact windows: when, in the borrower's own local time, a scheduled text may go out.

The borrower's zone comes from the property state, the ZIP code, the contact state or the
phone's area code (the first that tells); when none does, a text must suit the whole mainland.
Every state those clues name may protect the borrower: the strictest rule applies, weekday by
weekday. Whether a first text or a live reply may go outside the hours is each state's rule too
(`exempt_from_window`); send_sms asks."""

import logging
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import phonenumbers
import zipcodes
from django.conf import settings
from phonenumbers import geocoder
from phonenumbers import timezone as phone_timezones

from conversations.models import ContactRule, Direction, Kind, Message
from leads.choices import US_STATES
from mortgage_sms import rows

# Where a state spans two zones, the zone most of its people live in (the ZIP code refines it).
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
# When nothing tells us where the borrower is, a text must suit the whole mainland:
# 08:00 in Los Angeles is 11:00 in New York, and 21:00 in New York is 18:00 in Los Angeles.
MAINLAND_TIMEZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
STATE_CODES_BY_NAME = {name: code for code, name in US_STATES.items()}
# Each step of the search lands on some zone's opening; a month of steps means no opening.
MAX_SEARCH_STEPS = 100
NO_OPENING_RETRY = timedelta(days=1)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Location:
    """Where the borrower may be: zones (likeliest first) and states whose law may apply."""

    zones: tuple[str, ...]
    states: tuple[str, ...]


Hours = tuple[int, int] | None  # (start, end) in local hours, end exclusive; None: closed
ALL_DAY: Hours = (0, 24)
DAYS_SEARCHED = 370  # a window closed every day for a year has no opening


@dataclass(frozen=True)
class Window:
    """The borrower's contact window: hours per weekday (Monday first) in each zone they may be
    in, holidays, the cap, and which texts may go outside the hours."""

    week: tuple[Hours, ...]
    max_per_24h: int | None
    paused: bool
    zones: tuple[str, ...] = ("America/Chicago",)
    # Holiday calendars that apply: None is the federal one, "AL" Alabama's own, and so on.
    holiday_calendars: tuple[str | None, ...] = ()
    first_contact_exempt: bool = True
    live_reply_exempt: bool = True
    cap_counts_calls: bool = False
    states: tuple[str, ...] = ()  # the rules that made it, "*" first

    def hours_on(self, day: date) -> Hours:
        return None if self.is_holiday(day) else self.week[day.weekday()]

    def closed_reason(self, moment: datetime) -> str | None:
        """Why `moment` is outside the window in one of the zones, or None when it is inside."""
        for zone in self.zones:
            local = moment.astimezone(ZoneInfo(zone))
            if self.is_holiday(local.date()):
                return "holiday"
            if not _within(self.week[local.weekday()], local.hour):
                return "outside_contact_window"
        return None

    def is_holiday(self, day: date) -> bool:
        return any(day in holiday_calendar(subdivision) for subdivision in self.holiday_calendars)

    def next_opening(self, after: datetime) -> datetime | None:
        """The first moment at or after `after` inside the window in every zone, or None."""
        candidate = after
        for _ in range(MAX_SEARCH_STEPS):
            openings = [self._next_local_opening(candidate, zone) for zone in self.zones]
            if None in openings:
                return None
            latest = max(openings)
            if latest == candidate:
                return candidate
            candidate = latest
        return None

    def _next_local_opening(self, moment: datetime, zone: str) -> datetime | None:
        local = moment.astimezone(ZoneInfo(zone))
        day, hours = local.date(), self.hours_on(local.date())
        if _within(hours, local.hour):
            return moment
        if hours is None or local.hour >= hours[0]:
            day, hours = self._next_open_day(day + timedelta(days=1))
            if day is None:
                return None
        opening = datetime(day.year, day.month, day.day, hours[0], tzinfo=ZoneInfo(zone))
        return opening.astimezone(moment.tzinfo)

    def _next_open_day(self, day: date) -> tuple[date | None, Hours]:
        for _ in range(DAYS_SEARCHED):
            hours = self.hours_on(day)
            if hours is not None:
                return day, hours
            day += timedelta(days=1)
        return None, None


def _within(hours: Hours, hour: int) -> bool:
    return hours is not None and hours[0] <= hour < hours[1]


def narrower(first: Hours, second: Hours) -> Hours:
    """The hours both allow; None (closed) when they do not overlap."""
    if first is None or second is None:
        return None
    start, end = max(first[0], second[0]), min(first[1], second[1])
    return (start, end) if start < end else None


# --- Where the borrower is ----------------------------------------------------------------------


@lru_cache(maxsize=100_000)
def zip_location(zip_code: str) -> tuple[str, str] | None:
    """(state, time zone) of a US ZIP code, from the zipcodes package's bundled data."""
    try:
        matches = zipcodes.matching(zip_code.strip())
    except (ValueError, TypeError):
        return None  # not a ZIP code: ignore it rather than guess
    for match in matches:
        if _is_zone(match.get("timezone", "")):
            return match["state"], match["timezone"]
    return None


@lru_cache(maxsize=100_000)
def phone_location(phone: str) -> tuple[str | None, str | None]:
    """(state, time zone) the area code suggests; None for either when it does not tell."""
    try:
        number = phonenumbers.parse(phone, "US")
    except phonenumbers.NumberParseException:
        return None, None
    zones = [z for z in phone_timezones.time_zones_for_number(number) if z != "Etc/Unknown"]
    zone = zones[0] if len(zones) == 1 else None
    return _state_from_description(geocoder.description_for_number(number, "en")), zone


def _state_from_description(description: str) -> str | None:
    # phonenumbers describes US area codes as "Florida", "New York, NY" or "Washington State".
    description = description.removesuffix(" State")
    if description in STATE_CODES_BY_NAME:
        return STATE_CODES_BY_NAME[description]
    suffix = description.rsplit(", ", 1)[-1]
    return suffix if suffix in US_STATES else None


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def borrower_location(lead) -> Location:
    """The zone from the property state, then the ZIP, then the contact state, then the area
    code (a ZIP inside the state pins the zone of a state that spans two). The rules of every
    state any of them names apply: Florida, say, presumes a Florida area code is a Floridian."""
    zip_state, zip_zone = (lead.zip_code and zip_location(lead.zip_code)) or (None, None)
    phone_state, phone_zone = phone_location(lead.phone) if lead.phone else (None, None)
    property_zone = _state_zone(lead.property_state, zip_state, zip_zone)
    contact_zone = _state_zone(lead.state, zip_state, zip_zone)
    zone = property_zone or zip_zone or contact_zone or phone_zone
    states = (lead.property_state, lead.state, zip_state, phone_state)
    return Location(
        zones=(zone,) if zone else MAINLAND_TIMEZONES,
        states=tuple(dict.fromkeys(s for s in states if s in STATE_TIMEZONES)),
    )


def _state_zone(state: str | None, zip_state: str | None, zip_zone: str | None) -> str | None:
    if state not in STATE_TIMEZONES:
        return None
    return zip_zone if zip_state == state else STATE_TIMEZONES[state]


def borrower_timezone(lead) -> ZoneInfo:
    """The likeliest zone, for showing the borrower's local time to people."""
    return ZoneInfo(borrower_location(lead).zones[0])


# --- The window -----------------------------------------------------------------------------


@lru_cache(maxsize=128)
def holiday_calendar(subdivision: str | None) -> holidays.HolidayBase:
    """US federal holidays (with observed days), plus a state's own when one is named."""
    return holidays.country_holidays("US", subdiv=subdivision, observed=True)


# Set while a batch of decisions (the nurture dispatcher's) shares one read of the rules.
_rules_snapshot: ContextVar[dict | None] = ContextVar("contact_rules_snapshot", default=None)


@contextmanager
def rules_snapshot(*, as_needed: bool = False):
    """Read the contact rules once for the decisions made inside the block; a batch is short,
    so an emergency pause still takes effect within seconds.

    as_needed: read a state's rules the first time a decision in the block asks for them, once
    (a single lead's task needs two or three of the rules, not all of them)."""
    snapshot = _RulesReadAsNeeded() if as_needed else {rule.state: rule for rule in ContactRule.objects.all()}
    token = _rules_snapshot.set(snapshot)
    try:
        yield
    finally:
        _rules_snapshot.reset(token)


class _RulesReadAsNeeded:
    def __init__(self):
        self.by_state, self.read = {}, set()

    def rules(self, wanted: list[str]) -> list:
        missing = [state for state in wanted if state not in self.read]
        if missing:
            # SQL built once (mortgage_sms.rows): this runs on every greeting.
            self.by_state.update((rule.state, rule) for rule in rows.all(ContactRule, state=missing))
            self.read.update(missing)
        return [self.by_state[state] for state in wanted if state in self.by_state]


def _rules(states: tuple[str, ...]) -> list:
    wanted = ["*", *states]
    snapshot = _rules_snapshot.get()
    if snapshot is None:
        return list(ContactRule.objects.filter(state__in=wanted))
    if isinstance(snapshot, _RulesReadAsNeeded):
        return snapshot.rules(wanted)
    return [snapshot[state] for state in wanted if state in snapshot]


def window_for(lead) -> Window:
    """The strictest of the default window, the all-states rule and each state's own rule."""
    location = borrower_location(lead)
    rules = _rules(location.states)
    default = (settings.CONTACT_WINDOW_START_HOUR, settings.CONTACT_WINDOW_END_HOUR)
    week = [default] * 7
    calendars = [None] if settings.CONTACT_WINDOW_SKIP_FEDERAL_HOLIDAYS else []
    for rule in rules:
        week = [narrower(hours, rule.day_hours(weekday)) for weekday, hours in enumerate(week)]
        if rule.skip_state_holidays:
            calendars += location.states if rule.state == "*" else [rule.state]
    caps = [rule for rule in rules if rule.max_per_24h is not None]
    return Window(
        week=tuple(week),
        max_per_24h=min((rule.max_per_24h for rule in caps), default=None),
        paused=any(rule.paused for rule in rules),
        zones=location.zones,
        holiday_calendars=tuple(dict.fromkeys(calendars)),
        first_contact_exempt=all(rule.first_contact_exempt for rule in rules),
        live_reply_exempt=all(rule.live_reply_exempt for rule in rules),
        cap_counts_calls=any(rule.cap_counts_calls for rule in caps),
        states=tuple(rule.state for rule in rules),
    )


def exempt_from_window(window: Window, kind: str, *, live: bool) -> bool:
    """Whether a text of this kind may go outside the window: compliance answers and staff
    alerts always; the first text and live replies where every applicable rule allows it."""
    if kind in (Kind.COMPLIANCE, Kind.SYSTEM):
        return True
    if kind == Kind.FIRST_CONTACT:
        return window.first_contact_exempt
    if kind in (Kind.REPLY, Kind.INTRODUCTION):
        return live and window.live_reply_exempt
    return False


def next_opening(lead, after: datetime) -> datetime:
    """The first moment at or after `after` inside the borrower's window."""
    opening = window_for(lead).next_opening(after)
    if opening is None:
        # Only a window that never opens gets here (rules forbid empty hours); look again later.
        logger.error("No contact window opening for lead %s after %s", lead.pk, after)
        return after + NO_OPENING_RETRY
    return opening


# --- Frequency caps -----------------------------------------------------------------------------

# Kinds counted against a cap: texts we start. Replies to a borrower who is texting us answer
# their own messages; compliance answers are required. A first text counts where the state does
# not exempt it.
CAPPED_KINDS = (Kind.NURTURE, Kind.INTRODUCTION)
CAP_PERIOD = timedelta(hours=24)
# Sources of other contact attempts (calls) a state's cap may count: each takes (lead ids,
# since, until or None) and returns {lead id: [moments of its attempts in that span]}.
ContactSource = Callable[..., dict]
_call_sources: list[ContactSource] = []


def register_call_source(source: ContactSource) -> None:
    """Let calls count against caps that count calls and texts together (e.g. Florida's)."""
    if source not in _call_sources:
        _call_sources.append(source)


def capped_texts(lead, since: datetime, until: datetime, *, first_contact_counts: bool = False):
    kinds = [*CAPPED_KINDS, Kind.FIRST_CONTACT] if first_contact_counts else CAPPED_KINDS
    return Message.objects.filter(
        lead=lead, direction=Direction.OUTBOUND, kind__in=kinds, created_at__gt=since, created_at__lte=until
    )


@dataclass
class _ContactsSnapshot:
    since: datetime
    texts: dict  # lead id -> [(kind, created_at)] of the texts a cap may count
    calls: dict | None  # lead id -> [placed at]; None when no rule's cap counts calls


_contacts_snapshot: ContextVar[_ContactsSnapshot | None] = ContextVar("contacts_snapshot", default=None)


@contextmanager
def contacts_snapshot(lead_ids, since: datetime):
    """Read once, for the decisions made inside the block, the contacts a cap may count for
    these leads from `since` on; text_recorded adds the texts the block queues. What no rule in
    the contact rules snapshot caps is not read at all."""
    # Which rules cap anything is known only from a whole snapshot; else every contact is read.
    snapshot = _rules_snapshot.get()
    rules = list(snapshot.values()) if isinstance(snapshot, dict) else None
    capped = [rule for rule in rules if rule.max_per_24h is not None] if rules is not None else None
    texts = {lead_id: [] for lead_id in lead_ids}
    if capped is None or capped:
        recent = Message.objects.filter(
            lead_id__in=texts,
            direction=Direction.OUTBOUND,
            kind__in=[*CAPPED_KINDS, Kind.FIRST_CONTACT],
            created_at__gt=since,
        ).values_list("lead_id", "kind", "created_at")
        for lead_id, kind, created_at in recent:
            texts[lead_id].append((kind, created_at))
    calls = None
    if capped is None or any(rule.cap_counts_calls for rule in capped):
        calls = {lead_id: [] for lead_id in lead_ids}
        for source in _call_sources:
            for lead_id, times in source(list(calls), since, None).items():
                calls[lead_id] += times
    token = _contacts_snapshot.set(_ContactsSnapshot(since=since, texts=texts, calls=calls))
    try:
        yield
    finally:
        _contacts_snapshot.reset(token)


def text_recorded(lead_id, kind: str, at: datetime) -> None:
    """A text queued inside contacts_snapshot: later decisions in the block count it."""
    snapshot = _contacts_snapshot.get()
    if snapshot is not None and lead_id in snapshot.texts:
        snapshot.texts[lead_id].append((kind, at))


def _snapshot_for(lead, since: datetime) -> _ContactsSnapshot | None:
    snapshot = _contacts_snapshot.get()
    covered = snapshot is not None and lead.pk in snapshot.texts and since >= snapshot.since
    return snapshot if covered else None


def _capped_text_times(lead, since: datetime, until: datetime, window: Window) -> list[datetime]:
    first_contact_counts = not window.first_contact_exempt
    snapshot = _snapshot_for(lead, since)
    if snapshot is None:
        texts = capped_texts(lead, since, until, first_contact_counts=first_contact_counts)
        return list(texts.values_list("created_at", flat=True))
    kinds = [*CAPPED_KINDS, Kind.FIRST_CONTACT] if first_contact_counts else CAPPED_KINDS
    return [at for kind, at in snapshot.texts[lead.pk] if kind in kinds and since < at <= until]


def _call_times(lead, since: datetime, until: datetime) -> list[datetime]:
    snapshot = _snapshot_for(lead, since)
    if snapshot is None or snapshot.calls is None:
        return [at for source in _call_sources for at in source([lead.pk], since, until).get(lead.pk, [])]
    return [at for at in snapshot.calls[lead.pk] if since < at <= until]


def contact_attempts(lead, now: datetime, window: Window) -> list[datetime]:
    """When we contacted the borrower in the 24 hours before `now`, as the window's cap counts:
    texts we started, and calls too where a state counts both. Oldest first."""
    since = now - CAP_PERIOD
    times = _capped_text_times(lead, since, now, window)
    if window.cap_counts_calls:
        times += _call_times(lead, since, now)
    return sorted(times)


def cap_frees_at(lead, now: datetime, window: Window) -> datetime:
    """When the borrower may get another capped text: `now`, or when an old one ages out."""
    if window.max_per_24h is None:
        return now
    times = contact_attempts(lead, now, window)
    if len(times) < window.max_per_24h:
        return now
    return times[len(times) - window.max_per_24h] + CAP_PERIOD + timedelta(seconds=1)


def next_allowed(lead, after: datetime) -> datetime | None:
    """The first moment at or after `after` inside the window and under the cap (pauses
    aside: a pause has no end time; None when there is no opening)."""
    window = window_for(lead)
    moment = after
    for _ in range(MAX_SEARCH_STEPS):
        moment = window.next_opening(moment)
        if moment is None:
            return None
        frees = cap_frees_at(lead, moment, window)
        if frees <= moment:
            return moment
        moment = frees
    return None


def block_reason(lead, now: datetime) -> str | None:
    """Why a scheduled text may not go out now, or None."""
    window = window_for(lead)
    if window.paused:
        return "paused"
    closed = window.closed_reason(now)
    if closed:
        return closed
    if window.max_per_24h is not None and len(contact_attempts(lead, now, window)) >= window.max_per_24h:
        return "frequency_cap"
    return None
