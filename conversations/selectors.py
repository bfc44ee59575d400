"""Reads of the conversation that other apps need."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q

from conversations import windows
from conversations.models import ContactRule, Direction, Message, MessageStatus, Sender


def officer_texted_since(*, lead_id, since: datetime) -> bool:
    """Whether a person (an officer) has texted the borrower after `since`."""
    return Message.objects.filter(
        lead_id=lead_id, direction=Direction.OUTBOUND, sender=Sender.OFFICER, created_at__gt=since
    ).exists()


def last_officer_texts(*, lead_ids, since: datetime) -> dict:
    """{lead id: when an officer last texted them} for the leads an officer texted after
    `since`: officer_texted_since for a whole batch, in one query."""
    rows = (
        Message.objects.filter(
            lead_id__in=lead_ids, direction=Direction.OUTBOUND, sender=Sender.OFFICER, created_at__gt=since
        )
        .values("lead_id")
        .annotate(last=Max("created_at"))
    )
    return {row["lead_id"]: row["last"] for row in rows}


# --- When may we text this lead ------------------------------------------------------------------

OUTLOOK_DAYS = 7
REASONS = {
    "paused": "texts are paused for this borrower's state (emergency switch)",
    "holiday": "a holiday in the borrower's state",
    "outside_contact_window": "outside the borrower's contact hours",
    "frequency_cap": "the state's cap on texts per 24 hours is reached",
    "opted_out": "the borrower opted out",
    "do_not_contact": "marked do-not-contact",
    "no_consent": "no SMS consent on file",
}
# What a borrower's consent covers, for "may we send them nurture texts?".
MARKETING_REASONS = {
    "conversation_only": "No: the borrower texted us first, which is consent to the conversation "
    "(answers, follow-ups on their question, an officer's texts), not to nurture texts. A form "
    "with the consent disclosure would allow them.",
}


@dataclass(frozen=True)
class Outlook:
    """What ops need to answer "may we text this borrower, and when?"."""

    local_now: datetime
    location: windows.Location
    window: windows.Window
    rules: list[ContactRule]
    scheduled_block: str | None  # why a scheduled text may not go now; None: it may
    next_scheduled: datetime | None  # local time of the next moment one may
    attempts_24h: int
    days: list[tuple[date, str]]  # the coming week's hours in the borrower's zone
    marketing_block: str | None  # why nurture texts may never go, beyond scheduled_block

    @property
    def marketing_block_text(self) -> str:
        return MARKETING_REASONS.get(self.marketing_block or "", self.marketing_block or "")

    @property
    def scheduled_block_text(self) -> str:
        return REASONS.get(self.scheduled_block or "", self.scheduled_block or "")


def contact_outlook(lead, now: datetime) -> Outlook:
    """The borrower's local time, the rules that apply and when a scheduled text may next go."""
    window = windows.window_for(lead)
    zone = windows.borrower_timezone(lead)
    blocked = lead.contact_block_reason() or ("paused" if window.paused else windows.block_reason(lead, now))
    next_moment = None if lead.contact_block_reason() or window.paused else windows.next_allowed(lead, now)
    today = now.astimezone(zone).date()
    return Outlook(
        local_now=now.astimezone(zone),
        location=windows.borrower_location(lead),
        window=window,
        rules=list(ContactRule.objects.filter(state__in=window.states).order_by("state")),
        scheduled_block=blocked,
        next_scheduled=next_moment.astimezone(zone) if next_moment else None,
        attempts_24h=len(windows.contact_attempts(lead, now, window)),
        days=[_day_hours(window, today + timedelta(days=n)) for n in range(OUTLOOK_DAYS)],
        marketing_block="conversation_only" if lead.marketing_block_reason() == "conversation_only" else None,
    )


def _day_hours(window: windows.Window, day: date) -> tuple[date, str]:
    if window.is_holiday(day):
        return day, "closed (holiday)"
    hours = window.hours_on(day)
    return day, "closed" if hours is None else f"{hours[0]:02d}:00-{hours[1]:02d}:00"


# --- What ops monitor ------------------------------------------------------------------------


def outbox_counts(*, now: datetime, overdue_after: timedelta) -> dict:
    """Outbound texts in the states ops watch: waiting, overdue (due for longer than
    `overdue_after`: no worker is taking them), being handed over, and left `unknown` or
    `failed` in the last 24 hours."""
    cutoff, day_ago = now - overdue_after, now - timedelta(days=1)
    queued = Q(status=MessageStatus.QUEUED)
    overdue = queued & (Q(retry_at__lte=cutoff) | Q(retry_at__isnull=True, created_at__lte=cutoff))
    recent_trouble = Q(status__in=(MessageStatus.UNKNOWN, MessageStatus.FAILED), updated_at__gte=day_ago)
    watched = Q(status__in=(MessageStatus.QUEUED, MessageStatus.SENDING)) | recent_trouble
    return Message.objects.filter(watched, direction=Direction.OUTBOUND).aggregate(
        queued=Count("pk", filter=queued),
        queued_overdue=Count("pk", filter=overdue),
        sending=Count("pk", filter=Q(status=MessageStatus.SENDING)),
        unknown_last_24h=Count("pk", filter=Q(status=MessageStatus.UNKNOWN)),
        failed_last_24h=Count("pk", filter=Q(status=MessageStatus.FAILED)),
    )
