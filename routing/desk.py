"""The rest of an officer's day on one page: notes, saved replies, replies sent later, and
the officer's own availability."""

import string
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from conversations import windows
from leads import services as lead_services
from leads.models import Lead
from mortgage_sms.errors import ApplicationError
from routing.models import LeadNote, LoanOfficer, SavedReply, ScheduledReply, ScheduledStatus

# --- Notes ------------------------------------------------------------------------------------


@transaction.atomic
def note_add(*, officer: LoanOfficer, lead: Lead, body: str) -> LeadNote:
    """A private note on the lead, and a line on its timeline saying one was written."""
    body = body.strip()
    if not body:
        raise ApplicationError("Write the note first.", field="body")
    note = LeadNote.objects.create(lead=lead, officer=officer, body=body[:4000])
    lead_services.lead_event_record(
        lead=lead,
        type="note_added",
        actor=f"officer:{officer.user.get_username()}",
        description=f"Note by {officer.name}: {body[:200]}",
        data={"note_id": note.pk},
    )
    return note


# --- Saved replies ----------------------------------------------------------------------------

MERGE_FIELDS = ("first_name", "officer_name", "officer_first_name", "company")


def saved_replies_for(officer: LoanOfficer):
    from django.db.models import Q

    return SavedReply.objects.filter(Q(officer=officer) | Q(officer__isnull=True))


def merge_values(lead: Lead, officer: LoanOfficer) -> dict[str, str]:
    return {
        "first_name": lead.first_name or ("there" if lead.language == "en" else ""),
        "officer_name": officer.name,
        "officer_first_name": officer.name.split()[0] if officer.name else "",
        "company": settings.COMPANY_NAME,
    }


def _check_merge_fields(body: str) -> None:
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(body) if f is not None]
    except ValueError as error:
        raise ApplicationError(f"Unbalanced braces in the reply: {error}.", field="body") from error
    unknown = [f for f in fields if f not in MERGE_FIELDS]
    if unknown:
        known = ", ".join("{" + f + "}" for f in MERGE_FIELDS)
        raise ApplicationError(f"Unknown merge field {{{unknown[0]}}}; use {known}.", field="body")


def saved_reply_validate(*, body: str) -> None:
    """A saved reply is checked when it is saved, not when an officer is about to send it."""
    _check_merge_fields(body)


def saved_reply_render(*, body: str, lead: Lead, officer: LoanOfficer) -> str:
    """Fill the merge fields; an unknown one is refused rather than sent as {typo}."""
    _check_merge_fields(body)
    return body.format_map(merge_values(lead, officer))


# --- Replies sent later -----------------------------------------------------------------------


def reply_schedule(*, officer: LoanOfficer, lead: Lead, body: str, send_at: datetime) -> ScheduledReply:
    """A text to the borrower at `send_at`, which must be ahead and inside their contact window."""
    from routing.services import _own

    body = body.strip()
    if not body:
        raise ApplicationError("Write a message first.", field="body")
    now = timezone.now()
    if send_at <= now:
        raise ApplicationError("Pick a time in the future.", field="send_at")
    opening = windows.next_opening(lead, send_at)
    if opening > send_at:
        local = opening.astimezone(windows.borrower_timezone(lead))
        raise ApplicationError(
            f"That is outside the borrower's contact window; the next opening is {local:%a %b %-d, %-I:%M %p %Z}.",
            field="send_at",
        )
    with transaction.atomic():
        lead = _own(lead, officer)
        scheduled = ScheduledReply.objects.create(lead=lead, officer=officer, body=body, send_at=send_at)
        local = send_at.astimezone(windows.borrower_timezone(lead))
        lead_services.lead_event_record(
            lead=lead,
            type="reply_scheduled",
            actor=f"officer:{officer.user.get_username()}",
            description=f"{officer.name} scheduled a text for {local:%a %b %-d, %-I:%M %p %Z}: {body[:120]}",
            data={"scheduled_reply_id": scheduled.pk, "send_at": send_at.isoformat()},
        )
    return scheduled


def reply_cancel(*, officer: LoanOfficer, scheduled_id: int) -> bool:
    return bool(
        ScheduledReply.objects.filter(
            pk=scheduled_id, officer=officer, status=ScheduledStatus.SCHEDULED
        ).update(status=ScheduledStatus.CANCELLED)
    )


def scheduled_replies_send(*, now: datetime | None = None) -> int:
    """Hand due replies to the outbox, once each (the claim is the status change)."""
    from routing.services import officer_reply

    now = now or timezone.now()
    sent = 0
    due = ScheduledReply.objects.filter(status=ScheduledStatus.SCHEDULED, send_at__lte=now)
    for scheduled in due.select_related("lead", "officer__user")[:200]:
        if not ScheduledReply.objects.filter(pk=scheduled.pk, status=ScheduledStatus.SCHEDULED).update(
            status=ScheduledStatus.SENT
        ):
            continue
        try:
            result = officer_reply(
                officer=scheduled.officer,
                lead=scheduled.lead,
                body=scheduled.body,
                token=f"scheduled:{scheduled.pk}",
            )
            outcome = "queued" if result.queued else f"not sent: {result.blocked_reason}"
        except ApplicationError as error:  # the lead moved to someone else meanwhile
            outcome = f"not sent: {error.message}"
        ScheduledReply.objects.filter(pk=scheduled.pk).update(result=outcome[:200])
        sent += 1
    return sent


# --- Availability -----------------------------------------------------------------------------

AVAILABILITY_FIELDS = (
    "on_duty", "work_start", "work_end", "work_days", "time_zone", "out_of_office_until",
    "alert_by_sms", "alert_by_email", "mobile_phone", "email",
)  # fmt: skip


def officer_update_availability(*, officer: LoanOfficer, changes: dict) -> list[str]:
    """The officer's own settings; returns the fields that changed."""
    changed = [f for f in AVAILABILITY_FIELDS if f in changes and getattr(officer, f) != changes[f]]
    for field in changed:
        setattr(officer, field, changes[field])
    if changed:
        officer.full_clean(exclude=["user", "licensed_states", "products"])
        officer.save(update_fields=changed)
    return changed
