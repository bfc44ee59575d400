"""Enrolling leads in cadences, scheduling their steps, stopping them; reactions to leads."""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from conversations import windows
from conversations.models import Kind, Message
from leads import services as lead_services
from leads.choices import LeadStatus
from leads.models import Lead
from mortgage_sms import rows
from nurture.models import Cadence, CadenceStep, Enrollment, EnrollmentState, Trigger

logger = logging.getLogger(__name__)

ACTOR = "nurture"
# A borrower in one of these may get nurture texts; any other status ends the cadence.
NURTURABLE_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.NURTURING, LeadStatus.UNRESPONSIVE)
# Status changes that stop a cadence at once. `qualifying` is missing on purpose: it follows a
# reply, and the reply itself stops the cadence (with the reason "replied").
STOPPING_STATUSES = (
    LeadStatus.QUALIFIED,
    LeadStatus.OFFERED,
    LeadStatus.CLAIMED,
    LeadStatus.CLOSED_WON,
    LeadStatus.CLOSED_LOST,
    LeadStatus.DISQUALIFIED,
    LeadStatus.OPTED_OUT,
    LeadStatus.DO_NOT_CONTACT,
)
# When no contact window opens within weeks (a misconfigured rule), look again after a day.
NO_OPENING_RETRY = timedelta(days=1)


def cadence_for_trigger(trigger: str) -> Cadence | None:
    return Cadence.objects.filter(trigger=trigger, active=True).first()


def active_enrollment(lead_id) -> Enrollment | None:
    return Enrollment.objects.filter(lead_id=lead_id, state=EnrollmentState.ACTIVE).first()


# --- Scheduling -----------------------------------------------------------------------------


def step_due(*, lead: Lead, step: CadenceStep, anchor: datetime) -> datetime:
    return step.due_after(anchor, windows.borrower_timezone(lead))


def run_time(*, lead: Lead, due: datetime, now: datetime) -> datetime:
    """When a step due at `due` may run: the borrower's next opening (window, holidays and
    frequency cap) at or after it, and never in the past."""
    due = max(due, now)
    return windows.next_allowed(lead, due) or due + NO_OPENING_RETRY


def enrollment_publish(enrollment: Enrollment) -> None:
    """Show the lead's next touch on the lead itself (the API's `nurture` field)."""
    if enrollment.state == EnrollmentState.ACTIVE:
        lead_services.lead_set_nurture(
            lead_id=enrollment.lead_id, cadence=enrollment.cadence.slug, next_touch_at=enrollment.next_run_at
        )
    else:
        lead_services.lead_set_nurture(lead_id=enrollment.lead_id, cadence="", next_touch_at=None)


def enrollment_start(
    *,
    lead: Lead,
    cadence: Cadence,
    actor: str,
    start_now: bool = False,
    now: datetime | None = None,
    first_step: CadenceStep | None = None,
    lead_just_read: bool = False,
) -> Enrollment | None:
    """Put the lead in the cadence with its first step scheduled. None when the lead may not
    be texted, is already in a cadence, or the cadence has nothing to send.

    start_now: the first step goes at the next opening instead of after its delay.
    first_step: the cadence's first step, when the caller has read it.
    lead_just_read: the caller read the lead a moment ago, so it is not read again."""
    now = now or timezone.now()
    first = first_step or cadence.steps.order_by("position").first()
    if not lead_just_read:
        lead.refresh_from_db(
            fields=["sms_consent", "consent_text", "consent_scope", "opted_out_at", "do_not_contact"]
        )
    blocked = lead.marketing_block_reason()
    enrollment_refusal_note(lead=lead, cadence=cadence, actor=actor, reason=blocked)
    if first is None or not cadence.active or blocked:
        return None
    due = now if start_now else step_due(lead=lead, step=first, anchor=now)
    enrollment = Enrollment(
        lead=lead,
        cadence=cadence,
        step=first,
        enrolled_at=now,
        step_scheduled_at=now,
        enrolled_by=actor,
        next_run_at=run_time(lead=lead, due=due, now=now),
    )
    if not _inserted(enrollment):
        return None  # one active enrollment per lead: it is already in one
    lead_services.lead_event_record(**_enrolled_event(enrollment, actor))
    enrollment_publish(enrollment)
    return enrollment


def enrollment_refusal_note(*, lead: Lead, cadence: Cadence, actor: str, reason: str | None) -> None:
    """Put on the timeline why a borrower who only texted us is kept out of a cadence (other
    refusals are the lead's own state, already on it: an opt-out, no consent)."""
    if reason != CONVERSATION_ONLY:
        return
    lead_services.lead_event_record(
        lead=lead,
        type="nurture_refused",
        actor=actor,
        description=f"Not enrolled in the cadence '{cadence.name}': {REFUSALS[CONVERSATION_ONLY]}.",
        data={"reason": reason, "cadence": cadence.slug},
    )


def _inserted(enrollment: Enrollment) -> bool:
    """Insert it; False when the unique constraint says the lead is in a cadence already. In a
    transaction the insert gets a savepoint to fail back to; outside one (the greeting task) a
    failed INSERT leaves nothing to undo, so it goes without BEGIN and COMMIT."""
    try:
        if connection.in_atomic_block:
            with transaction.atomic():
                rows.insert(enrollment)
        else:
            rows.insert(enrollment)
    except IntegrityError:
        return False
    return True


def enrollments_start_new(
    *,
    leads: list[Lead],
    cadence: Cadence,
    actor: str,
    first_step: CadenceStep | None,
    start_now: bool = False,
    now: datetime | None = None,
) -> list[Enrollment]:
    """enrollment_start for leads opened a moment ago, each contactable and in no cadence yet
    (an import), in three statements; [] when the cadence is off or has nothing to send. A lead
    put in a cadence meanwhile raises IntegrityError and nothing is stored."""
    now = now or timezone.now()
    if first_step is None or not cadence.active:
        return []
    enrollments = [
        Enrollment(
            lead=lead,
            cadence=cadence,
            step=first_step,
            enrolled_at=now,
            step_scheduled_at=now,
            enrolled_by=actor,
            next_run_at=run_time(
                lead=lead, due=now if start_now else step_due(lead=lead, step=first_step, anchor=now), now=now
            ),
        )
        for lead in leads
    ]
    with transaction.atomic():
        Enrollment.objects.bulk_create(enrollments)
        lead_services.lead_events_record(events=[_enrolled_event(e, actor) for e in enrollments])
        lead_services.leads_set_nurture(
            changes={e.lead_id: (cadence.slug, e.next_run_at) for e in enrollments}
        )
    return enrollments


def _enrolled_event(enrollment: Enrollment, actor: str) -> dict:
    lead, cadence = enrollment.lead, enrollment.cadence
    return {
        "lead": lead,
        "type": "nurture_enrolled",
        "actor": actor,
        "description": f"Enrolled in the cadence '{cadence.name}'; first text {_local(lead, enrollment.next_run_at)}.",
        "data": {"enrollment_id": enrollment.pk, "cadence": cadence.slug},
    }


def _local(lead: Lead, moment: datetime) -> str:
    local = moment.astimezone(windows.borrower_timezone(lead))
    return f"{local:%a %b %-d, %H:%M} {local.tzname()}"


def enrollment_end(
    enrollment: Enrollment, *, state: str, reason: str = "", actor: str = ACTOR, now: datetime | None = None
) -> bool:
    """Finish or stop an active enrollment once; False if it had already ended."""
    now = now or timezone.now()
    ended = Enrollment.objects.filter(pk=enrollment.pk, state=EnrollmentState.ACTIVE).update(
        state=state, stop_reason=reason, next_run_at=None, ended_at=now
    )
    if not ended:
        return False
    enrollment.state, enrollment.stop_reason, enrollment.next_run_at = state, reason, None
    finished = state == EnrollmentState.FINISHED
    lead_services.lead_event_record(
        lead=enrollment.lead,
        type="nurture_finished" if finished else "nurture_stopped",
        actor=actor,
        description=f"Cadence '{enrollment.cadence.name}' "
        + ("finished: every step went out." if finished else f"stopped ({reason.replace('_', ' ')})."),
        data={"enrollment_id": enrollment.pk, "cadence": enrollment.cadence.slug, "reason": reason},
    )
    enrollment_publish(enrollment)
    return True


def enrollments_stop(
    *, lead_id, reason: str, actor: str = ACTOR, begun_before: datetime | None = None
) -> int:
    """Stop the lead's active enrollment (only one begun before `begun_before`, if given)."""
    active = Enrollment.objects.filter(lead_id=lead_id, state=EnrollmentState.ACTIVE)
    if begun_before is not None:
        active = active.filter(enrolled_at__lt=begun_before)
    return sum(
        enrollment_end(e, state=EnrollmentState.STOPPED, reason=reason, actor=actor)
        for e in active.select_related("lead", "cadence")
    )


# --- Reactions to the lead and the conversation ----------------------------------------------------


def nurture_after_first_text(*, message) -> Enrollment | None:
    """The first text went out: nudge until the borrower answers."""
    if message.kind != Kind.FIRST_CONTACT or message.lead_id is None:
        return None
    first = _no_reply_first_step()
    lead = _lead_as_now(message)
    if first is None or lead.status not in NURTURABLE_STATUSES or not lead.is_contactable():
        return None
    return enrollment_start(
        lead=lead, cadence=first.cadence, actor=ACTOR, first_step=first, lead_just_read=True
    )


# What may have changed since the sender read the lead, and what enrolling it reads.
ENROLLMENT_FIELDS = [
    "status",
    "sms_consent",
    "consent_text",
    "consent_scope",
    "opted_out_at",
    "do_not_contact",
    "state",
    "zip_code",
    "property_state",
]


def _no_reply_first_step() -> CadenceStep | None:
    """The active no-reply cadence's first step with its cadence; None when there is no such
    cadence or it has no step. SQL built once (mortgage_sms.rows): on every greeting, and the
    ORM's building of this join cost several times running it."""
    return rows.get(
        CadenceStep,
        with_related="cadence",
        suffix="ORDER BY position LIMIT 1",
        cadence__trigger=Trigger.NO_REPLY,
        cadence__active=True,
    )


def _lead_as_now(message) -> Lead:
    """The text's lead as stored now. A sender that holds it (the greeting task, which locked it
    a moment ago) has only the fields that may have changed since read again: the whole row
    costs more to ask for."""
    if not Message.lead.is_cached(message):
        return Lead.objects.get(pk=message.lead_id)
    return rows.refresh(message.lead, ENROLLMENT_FIELDS)


def nurture_after_reply(*, lead: Lead, message) -> int:
    """Any reply ends the cadence; the conversation takes the borrower back into qualification.
    A cadence begun because of this very reply (e.g. "not ready yet") goes on."""
    return enrollments_stop(
        lead_id=lead.pk, reason="replied", actor="borrower", begun_before=message.created_at
    )


def nurture_after_status_change(*, lead: Lead, new_status: str, actor: str) -> None:
    if new_status in STOPPING_STATUSES:
        enrollments_stop(lead_id=lead.pk, reason=new_status, actor=actor)
    elif new_status == LeadStatus.NURTURING:
        _switch_to(lead, Trigger.NURTURING, actor=actor)


def _switch_to(lead: Lead, trigger: str, *, actor: str) -> Enrollment | None:
    cadence = cadence_for_trigger(trigger)
    if cadence is None:
        return None
    current = active_enrollment(lead.pk)
    if current is not None and current.cadence_id == cadence.pk:
        return current
    enrollments_stop(lead_id=lead.pk, reason="switched_cadence", actor=actor)
    return enrollment_start(lead=lead, cadence=cadence, actor=actor)


# --- Re-engagement ---------------------------------------------------------------------------


@dataclass
class ReengagementReport:
    enrolled: list[Lead] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (who, why)


CONVERSATION_ONLY = "conversation_only"
REFUSALS = {
    CONVERSATION_ONLY: "the borrower texted us first, which is consent to a conversation, not to "
    "marketing texts; a form's written consent would allow it",
    "no_consent": "no SMS consent on file",
    "no_consent_text": "no consent disclosure text on file",
    "dnc_list": "on the do-not-contact list",
}


_UNREAD = object()


def reengagement_refusal(lead: Lead, *, current_cadence: str | object | None = _UNREAD) -> str | None:
    """Why this lead cannot be re-engaged, in words for the admin; None when it can.

    current_cadence: the name of the cadence the lead is active in (None: in none), when the
    caller has read it for many leads at once."""
    blocked = lead.marketing_block_reason() or ("dnc_list" if lead_services.dnc_listed(lead.phone) else None)
    if blocked:
        return REFUSALS.get(blocked, blocked.replace("_", "-"))
    if lead.status not in NURTURABLE_STATUSES:
        return f"status is {lead.status}"
    if current_cadence is _UNREAD:
        current = active_enrollment(lead.pk)
        current_cadence = current.cadence.name if current else None
    if current_cadence is not None:
        return f"already in the cadence '{current_cadence}'"
    return None


def cadence_text_errors(cadence: Cadence) -> list[str]:
    """What the automated-text checker refuses in a cadence's steps (templates saved before the
    checker existed, or edited outside the admin): no one is enrolled in such a cadence."""
    from nurture.rendering import template_errors

    errors = []
    for step in cadence.steps.order_by("position"):
        for template, language in ((step.body, "en"), (step.body_es, "es")):
            error = template.strip() and template_errors(
                template, language=language, first_text=step.is_first_text()
            )
            if error:
                errors.append(f"step {step.position} ({language}): {error}")
    return errors


def leads_reengage(*, leads, cadence: Cadence, actor: str, start_now: bool = True) -> ReengagementReport:
    """Enroll aged leads in a cadence; the ones that may not be texted are reported."""
    report = ReengagementReport()
    text_errors = cadence_text_errors(cadence)
    if text_errors:
        report.skipped = [(str(lead), f"the cadence's texts are refused: {text_errors[0]}") for lead in leads]
        return report
    for lead in leads:
        refusal = reengagement_refusal(lead)
        enrollment_refusal_note(lead=lead, cadence=cadence, actor=actor, reason=lead.marketing_block_reason())
        enrollment = (
            None
            if refusal
            else enrollment_start(lead=lead, cadence=cadence, actor=actor, start_now=start_now)
        )
        if enrollment is None:
            report.skipped.append((str(lead), refusal or "the cadence is off or has no steps"))
        else:
            report.enrolled.append(lead)
    return report


# --- A/B tests -------------------------------------------------------------------------------


def step_keep_wording(*, step: CadenceStep, body: str, body_es: str, actor: str) -> list[str]:
    """A finished A/B test's winning wording becomes the step's text (empty: unchanged)."""
    changes = {name: value for name, value in (("body", body), ("body_es", body_es)) if value.strip()}
    for name, value in changes.items():
        setattr(step, name, value)
    if changes:
        step.save(update_fields=list(changes))
        logger.info(
            "Step %s of '%s' now has the A/B test winner's text (by %s).", step.position, step.cadence, actor
        )
    return list(changes)
