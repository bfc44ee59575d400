"""The dispatcher: every minute, send the steps that are due, each at most once.

Due enrollments are taken in batches, each batch in one transaction that locks its
enrollments and their leads (`FOR UPDATE SKIP LOCKED` on PostgreSQL): a second dispatcher
running at the same time takes other rows, and a borrower's opt-out waits for the batch
rather than deadlocking with it. The Message's dedupe key makes a step go out at most once
even if two dispatchers did meet on one row."""

import logging
import time
from collections import Counter
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from conversations import selectors as conversation_selectors
from conversations import windows
from conversations.models import Kind, Sender
from conversations.services import send_sms
from experiments import services as experiment_services
from experiments.models import Target
from leads import services as lead_services
from nurture import rendering
from nurture.models import CadenceStep, DelayFrom, Enrollment, EnrollmentState
from nurture.services import (
    ACTOR,
    NURTURABLE_STATUSES,
    enrollment_end,
    enrollment_publish,
    run_time,
    step_due,
)

logger = logging.getLogger(__name__)

# send_sms refusals that no waiting will fix: the cadence ends.
CONTACT_BLOCKS = ("no_consent", "opted_out", "do_not_contact")
RETRY_AFTER_ERROR = timedelta(hours=1)
# A deferral always moves the step at least this far, so one run never spins on a row.
MIN_DEFERRAL = timedelta(minutes=1)


def due_enrollments(now: datetime, limit: int):
    """The due-selection query (its plan is in the bench_nurture output)."""
    return (
        Enrollment.objects.filter(state=EnrollmentState.ACTIVE, next_run_at__lte=now)
        .order_by("next_run_at")
        .select_related("lead", "lead__assigned_officer", "cadence", "step")
        .prefetch_related(Prefetch("cadence__steps", queryset=CadenceStep.objects.order_by("position")))
        .select_for_update(skip_locked=True, of=("self", "lead"))[:limit]
    )


def nurture_dispatch(
    *, now: datetime | None = None, batch_size: int | None = None, budget_seconds: float | None = None
) -> dict:
    """Handle every due step, batch by batch, until none is due or the time budget is spent."""
    now = now or timezone.now()
    batch_size = batch_size or settings.NURTURE_DISPATCH_BATCH_SIZE
    budget = settings.NURTURE_DISPATCH_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    started, outcomes = time.monotonic(), Counter()
    while True:
        with transaction.atomic(), windows.rules_snapshot():
            batch = list(due_enrollments(now, batch_size))
            for enrollment in batch:
                outcomes[dispatch_one(enrollment, now)] += 1
        if len(batch) < batch_size or time.monotonic() - started > budget:
            return dict(outcomes)


def dispatch_one(enrollment: Enrollment, now: datetime) -> str:
    """Send, skip, defer or end one due step; a failure is kept to this enrollment."""
    try:
        with transaction.atomic():
            return _dispatch(enrollment, now)
    except Exception as error:  # one broken row must not hold up every other borrower
        logger.exception("Nurture enrollment %s failed", enrollment.pk)
        Enrollment.objects.filter(pk=enrollment.pk, state=EnrollmentState.ACTIVE).update(
            next_run_at=now + RETRY_AFTER_ERROR, last_error=f"{type(error).__name__}: {error}"[:2000]
        )
        return "failed"


def _dispatch(enrollment: Enrollment, now: datetime) -> str:
    lead, step = enrollment.lead, enrollment.step
    stop = _stop_reason(enrollment)
    if stop:
        enrollment_end(enrollment, state=EnrollmentState.STOPPED, reason=stop, now=now)
        return "stopped"
    if not step.applies_to(lead):
        _advance(enrollment, now, sent=False)
        return "skipped"
    if conversation_selectors.officer_texted_since(lead_id=lead.pk, since=enrollment.step_scheduled_at):
        _record_cancelled(enrollment)
        _advance(enrollment, now, sent=False)
        return "cancelled"
    blocked = windows.block_reason(lead, now)
    if blocked:
        _defer(enrollment, now, blocked)
        return "deferred"
    return _send(enrollment, now)


def _stop_reason(enrollment: Enrollment) -> str | None:
    lead = enrollment.lead
    if not enrollment.cadence.active:
        return "cadence_off"
    if enrollment.step is None:
        return "no_step"
    blocked = lead.contact_block_reason()
    if blocked:
        return blocked
    if lead.status not in NURTURABLE_STATUSES:
        return lead.status
    if lead.last_inbound_at and lead.last_inbound_at > enrollment.enrolled_at:
        return "replied"  # the reply's own handling may not have stopped it yet
    return None


def _send(enrollment: Enrollment, now: datetime) -> str:
    lead, step = enrollment.lead, enrollment.step
    repeat = f":{enrollment.repeats_done}" if enrollment.repeats_done else ""
    variant = experiment_services.variant_for(lead=lead, target=Target.CADENCE_STEP, step_id=step.pk)
    result = send_sms(
        lead=lead,
        body=rendering.render_step(step, lead, lead.assigned_officer, variant=variant),
        kind=Kind.NURTURE,
        sender=Sender.NURTURE,
        dedupe_key=f"nurture:{enrollment.pk}:{step.pk}{repeat}",
        now=now,
    )
    if variant and result.queued:
        experiment_services.assignment_record_text(lead=lead, variant=variant, message_id=result.message.pk)
    if result.queued:
        _advance(enrollment, now, sent=True)
        return "sent"
    if result.blocked_reason in CONTACT_BLOCKS:
        enrollment_end(enrollment, state=EnrollmentState.STOPPED, reason=result.blocked_reason, now=now)
        return "stopped"
    _defer(enrollment, now, result.blocked_reason)
    return "deferred"


def _defer(enrollment: Enrollment, now: datetime, reason: str) -> None:
    """Move the step to when it may go: the next opening, or past a pause or the cap."""
    lead = enrollment.lead
    if reason == "paused":
        recheck = now + timedelta(minutes=settings.NURTURE_PAUSE_RECHECK_MINUTES)
        moment = run_time(lead=lead, due=recheck, now=now)
    else:
        moment = run_time(lead=lead, due=now, now=now)
    enrollment.next_run_at = max(moment, now + MIN_DEFERRAL)
    enrollment.save(update_fields=["next_run_at", "updated_at"])
    enrollment_publish(enrollment)


def _advance(enrollment: Enrollment, now: datetime, *, sent: bool) -> None:
    """Schedule what follows the current step, or finish the cadence."""
    if sent:
        enrollment.touches_sent += 1
        enrollment.last_sent_at = now
    following, repeats = _following_step(enrollment)
    if following is None:
        enrollment.save(update_fields=["touches_sent", "last_sent_at", "updated_at"])
        _finish(enrollment, now)
        return
    anchor = enrollment.enrolled_at if following.delay_from == DelayFrom.ENROLLMENT else now
    enrollment.step, enrollment.repeats_done = following, repeats
    enrollment.step_scheduled_at = now
    enrollment.next_run_at = run_time(
        lead=enrollment.lead, due=step_due(lead=enrollment.lead, step=following, anchor=anchor), now=now
    )
    enrollment.last_error = ""
    enrollment.save()
    enrollment_publish(enrollment)


def _following_step(enrollment: Enrollment):
    """(next step, repeats done): the next position, else the last step again while the
    cadence repeats it, else (None, n)."""
    current = enrollment.step
    later = [step for step in enrollment.cadence.steps.all() if step.position > current.position]
    following = later[0] if later else None  # prefetched in position order
    if following is not None:
        return following, 0
    if enrollment.repeats_done < enrollment.cadence.repeat_last_step:
        return current, enrollment.repeats_done + 1
    return None, enrollment.repeats_done


def _finish(enrollment: Enrollment, now: datetime) -> None:
    enrollment_end(enrollment, state=EnrollmentState.FINISHED, now=now)
    cadence, lead = enrollment.cadence, enrollment.lead
    lead.refresh_from_db(fields=["status"])
    if cadence.finish_status and lead.status in NURTURABLE_STATUSES and lead.status != cadence.finish_status:
        lead_services.lead_set_status(
            lead=lead,
            status=cadence.finish_status,
            actor=ACTOR,
            reason=f"No reply to the cadence '{cadence.name}'.",
        )


def _record_cancelled(enrollment: Enrollment) -> None:
    lead_services.lead_event_record(
        lead=enrollment.lead,
        type="nurture_step_cancelled",
        actor=ACTOR,
        description=f"Step {enrollment.step.position} of '{enrollment.cadence.name}' not sent: "
        "an officer has texted the borrower since it was scheduled.",
        data={"enrollment_id": enrollment.pk, "step_id": enrollment.step_id},
    )
