"""Free times: inside the officer's working hours, the borrower's contact window, and no other
booking; shown in the borrower's local time."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings

from appointments.models import Appointment, AppointmentStatus
from conversations import windows
from leads.models import Lead
from routing.eligibility import licensing_state
from routing.models import LoanOfficer

STEP = timedelta(minutes=30)


@dataclass(frozen=True)
class Slot:
    starts_at: datetime
    officer: LoanOfficer

    def as_json(self) -> dict:
        return {"starts_at": self.starts_at.isoformat(), "officer_id": self.officer.pk}


def length() -> timedelta:
    return timedelta(minutes=settings.APPOINTMENT_MINUTES)


def officers_for(lead: Lead) -> list[LoanOfficer]:
    """The lead's officer; before a claim, every active officer licensed in its state (the pool)."""
    if lead.assigned_officer_id:
        return [lead.assigned_officer]
    state = licensing_state(lead)
    return [o for o in LoanOfficer.objects.filter(active=True, on_duty=True) if o.is_licensed_in(state)]


def _busy(
    officers: list[LoanOfficer], start: datetime, end: datetime, ignore=None
) -> set[tuple[int, datetime]]:
    booked = Appointment.objects.filter(
        officer__in=officers, status=AppointmentStatus.BOOKED, starts_at__lt=end, ends_at__gt=start
    )
    if ignore is not None:
        booked = booked.exclude(pk=ignore.pk)
    return set(booked.values_list("officer_id", "starts_at", "ends_at"))


def officer_free_at(officer: LoanOfficer, start: datetime, busy) -> bool:
    end = start + length()
    last_minute = end - timedelta(minutes=1)
    if not (officer.is_working_at(start) and officer.is_working_at(last_minute)):
        return False
    if officer.is_out_of_office(start) or officer.is_out_of_office(last_minute):
        return False
    return not any(oid == officer.pk and s < end and e > start for oid, s, e in busy)


def borrower_can_talk_at(window, start: datetime) -> bool:
    last_minute = start + length() - timedelta(minutes=1)
    return window.closed_reason(start) is None and window.closed_reason(last_minute) is None


def free_slots(
    lead: Lead, *, now: datetime, start: datetime | None = None, end: datetime | None = None, ignore=None
):
    """Every free slot between `start` and `end` (default: the notice period to the horizon)."""
    officers = officers_for(lead)
    if not officers:
        return
    earliest = now + timedelta(minutes=settings.APPOINTMENT_NOTICE_MINUTES)
    start = max(start or earliest, earliest)
    end = end or now + timedelta(days=settings.APPOINTMENT_DAYS_AHEAD)
    window = windows.window_for(lead)
    busy = _busy(officers, start, end + length(), ignore)
    moment = _round_up(start)
    while moment < end:
        if borrower_can_talk_at(window, moment):
            officer = next((o for o in officers if officer_free_at(o, moment, busy)), None)
            if officer:
                yield Slot(moment, officer)
        moment += STEP


def _round_up(moment: datetime) -> datetime:
    """The next half hour (in UTC, which is the same half hour in every US zone)."""
    base = moment.replace(second=0, microsecond=0)
    extra = (-base.minute) % 30
    if extra == 0 and moment == base:
        return base
    return base + timedelta(minutes=extra or 30)


def spread_slots(lead: Lead, *, now: datetime, count: int = 3, ignore=None) -> list[Slot]:
    """Up to `count` choices a borrower can tell apart: the first free time in each of the next
    half-days (morning, afternoon) in the borrower's local time."""
    zone = windows.borrower_timezone(lead)
    chosen, seen = [], set()
    for slot in free_slots(lead, now=now, ignore=ignore):
        local = slot.starts_at.astimezone(zone)
        bucket = (local.date(), local.hour >= 12)
        if bucket in seen:
            continue
        seen.add(bucket)
        chosen.append(slot)
        if len(chosen) == count:
            break
    return chosen


def slot_at(lead: Lead, moment: datetime, *, now: datetime, ignore=None) -> Slot | None:
    """The slot starting exactly at `moment`, if it is free."""
    return next(
        iter(free_slots(lead, now=now, start=moment, end=moment + timedelta(minutes=1), ignore=ignore)), None
    )


def first_slot_between(
    lead: Lead, start: datetime, end: datetime, *, now: datetime, ignore=None
) -> Slot | None:
    return next(iter(free_slots(lead, now=now, start=start, end=end, ignore=ignore)), None)
