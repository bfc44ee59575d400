"""The dispatcher: every minute, send the steps that are due, each at most once.

Due enrollments are taken in batches, each batch in one transaction that locks its
enrollments and their leads (`FOR UPDATE SKIP LOCKED` on PostgreSQL): a second dispatcher
running at the same time takes other rows, and a borrower's opt-out waits for the batch
rather than deadlocking with it. The Message's dedupe key makes a step go out at most once
even if two dispatchers did meet on one row.

What every step of a batch needs to know is read once per batch: the contact rules, the
do-not-contact list, the texts a state's cap counts, the officers' last texts and the steps
under an A/B test; the leads' own opt-out and consent are current because they are locked.
The enrollments and the leads' next touch are written back in one statement each."""

import logging
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from conversations import selectors as conversation_selectors
from conversations import windows
from conversations.models import Kind, Sender
from conversations.services import SmsBatch, send_sms, sms_batch
from experiments import services as experiment_services
from experiments.models import Target
from leads import services as lead_services
from mortgage_sms import bulk
from nurture import rendering
from nurture.models import CadenceStep, DelayFrom, Enrollment, EnrollmentState
from nurture.services import (
    ACTOR,
    NURTURABLE_STATUSES,
    enrollment_end,
    run_time,
    step_due,
)

logger = logging.getLogger(__name__)

# send_sms refusals that no waiting will fix: the cadence ends.
CONTACT_BLOCKS = ("no_consent", "opted_out", "do_not_contact", "conversation_only")
RETRY_AFTER_ERROR = timedelta(hours=1)
# A deferral always moves the step at least this far, so one run never spins on a row.
MIN_DEFERRAL = timedelta(minutes=1)
# What a step that is sent, skipped or deferred changes on its enrollment.
RESCHEDULED_FIELDS = [
    "step", "repeats_done", "step_scheduled_at", "next_run_at", "touches_sent", "last_sent_at",
    "last_error", "updated_at",
]  # fmt: skip


@dataclass
class Batch:
    """One batch's shared reads, and what it writes at the end: the texts (sms_batch), the
    enrollments it rescheduled, and the A/B variants its texts carried."""

    now: datetime
    officer_texts: dict  # lead id -> the officer's last text after the earliest step was scheduled
    steps_under_test: set[int]
    texts: SmsBatch
    rescheduled: dict = field(default_factory=dict)  # enrollment id -> enrollment
    variants: list = field(default_factory=list)  # (lead, variant, message)

    def officer_texted_since(self, enrollment: Enrollment) -> bool:
        last = self.officer_texts.get(enrollment.lead_id)
        return last is not None and last > enrollment.step_scheduled_at

    def forget(self, enrollment: Enrollment, texts_before: int) -> None:
        """Drop what a step that failed half-way had queued."""
        self.rescheduled.pop(enrollment.pk, None)
        del self.texts.messages[texts_before:]
        self.variants = [v for v in self.variants if v[0].pk != enrollment.lead_id]


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
            enrollments = list(due_enrollments(now, batch_size))
            outcomes.update(dispatch_batch(enrollments, now))
        if len(enrollments) < batch_size or time.monotonic() - started > budget:
            return dict(outcomes)


def dispatch_batch(enrollments: list[Enrollment], now: datetime) -> Counter:
    """Send, skip, defer or end each of these locked enrollments' due step."""
    if not enrollments:
        return Counter()
    leads = [e.lead for e in enrollments]
    with ExitStack() as shared_reads:
        shared_reads.enter_context(lead_services.dnc_snapshot(lead.phone for lead in leads))
        shared_reads.enter_context(
            windows.contacts_snapshot([lead.pk for lead in leads], since=now - windows.CAP_PERIOD)
        )
        texts = shared_reads.enter_context(sms_batch())
        batch = Batch(
            now=now,
            officer_texts=conversation_selectors.last_officer_texts(
                lead_ids=[lead.pk for lead in leads], since=min(e.step_scheduled_at for e in enrollments)
            ),
            steps_under_test=experiment_services.steps_under_test({e.step_id for e in enrollments}),
            texts=texts,
        )
        outcomes = Counter(dispatch_one(enrollment, batch) for enrollment in enrollments)
    for lead, variant, message in batch.variants:
        if message.pk in texts.stored:
            experiment_services.assignment_record_text(lead=lead, variant=variant, message_id=message.pk)
    _save_rescheduled(list(batch.rescheduled.values()), now)
    return outcomes


def dispatch_one(enrollment: Enrollment, batch: Batch) -> str:
    """Send, skip, defer or end one due step; a failure is kept to this enrollment.

    A step that is sent, skipped or deferred writes nothing until the batch ends (no savepoint
    per step); the rarer outcomes that write at once do it in a savepoint of their own."""
    texts_before = len(batch.texts.messages)
    try:
        return _dispatch(enrollment, batch)
    except Exception as error:  # one broken row must not hold up every other borrower
        logger.exception("Nurture enrollment %s failed", enrollment.pk)
        batch.forget(enrollment, texts_before)
        Enrollment.objects.filter(pk=enrollment.pk, state=EnrollmentState.ACTIVE).update(
            next_run_at=batch.now + RETRY_AFTER_ERROR,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        return "failed"


def _save_rescheduled(enrollments: list[Enrollment], now: datetime) -> None:
    """The batch's new schedules, and each lead's next touch as the API shows it."""
    for enrollment in enrollments:
        enrollment.updated_at = now
    bulk.update_each(Enrollment, enrollments, RESCHEDULED_FIELDS)
    lead_services.leads_set_nurture(changes={e.lead_id: (e.cadence.slug, e.next_run_at) for e in enrollments})


def _dispatch(enrollment: Enrollment, batch: Batch) -> str:
    lead, step, now = enrollment.lead, enrollment.step, batch.now
    stop = _stop_reason(enrollment)
    if stop:
        _stop(enrollment, stop, now)
        return "stopped"
    if not step.applies_to(lead):
        _advance(enrollment, batch, sent=False)
        return "skipped"
    if batch.officer_texted_since(enrollment):
        with transaction.atomic():
            _record_cancelled(enrollment)
            _advance(enrollment, batch, sent=False)
        return "cancelled"
    blocked = windows.block_reason(lead, now)
    if blocked:
        _defer(enrollment, batch, blocked)
        return "deferred"
    return _send(enrollment, batch)


def _stop_reason(enrollment: Enrollment) -> str | None:
    lead = enrollment.lead
    if not enrollment.cadence.active:
        return "cadence_off"
    if enrollment.step is None:
        return "no_step"
    blocked = lead.marketing_block_reason()
    if blocked:
        return blocked
    if lead.status not in NURTURABLE_STATUSES:
        return lead.status
    if lead.last_inbound_at and lead.last_inbound_at > enrollment.enrolled_at:
        return "replied"  # the reply's own handling may not have stopped it yet
    return None


def _send(enrollment: Enrollment, batch: Batch) -> str:
    lead, step, now = enrollment.lead, enrollment.step, batch.now
    repeat = f":{enrollment.repeats_done}" if enrollment.repeats_done else ""
    variant = (
        experiment_services.variant_for(lead=lead, target=Target.CADENCE_STEP, step_id=step.pk)
        if step.pk in batch.steps_under_test
        else None
    )
    result = send_sms(
        lead=lead,
        body=rendering.render_step(step, lead, lead.assigned_officer, variant=variant),
        kind=Kind.NURTURE,
        sender=Sender.NURTURE,
        dedupe_key=f"nurture:{enrollment.pk}:{step.pk}{repeat}",
        now=now,
        lead_locked=True,  # due_enrollments locked it
    )
    if result.queued:
        if variant:
            batch.variants.append((lead, variant, result.message))
        windows.text_recorded(lead.pk, Kind.NURTURE, result.message.created_at)
        _advance(enrollment, batch, sent=True)
        return "sent"
    if result.blocked_reason in CONTACT_BLOCKS:
        _stop(enrollment, result.blocked_reason, now)
        return "stopped"
    _defer(enrollment, batch, result.blocked_reason)
    return "deferred"


def _stop(enrollment: Enrollment, reason: str, now: datetime) -> None:
    with transaction.atomic():
        enrollment_end(enrollment, state=EnrollmentState.STOPPED, reason=reason, now=now)


def _defer(enrollment: Enrollment, batch: Batch, reason: str) -> None:
    """Move the step to when it may go: the next opening, or past a pause or the cap."""
    lead, now = enrollment.lead, batch.now
    if reason == "paused":
        recheck = now + timedelta(minutes=settings.NURTURE_PAUSE_RECHECK_MINUTES)
        moment = run_time(lead=lead, due=recheck, now=now)
    else:
        moment = run_time(lead=lead, due=now, now=now)
    enrollment.next_run_at = max(moment, now + MIN_DEFERRAL)
    batch.rescheduled[enrollment.pk] = enrollment


def _advance(enrollment: Enrollment, batch: Batch, *, sent: bool) -> None:
    """Schedule what follows the current step, or finish the cadence."""
    now = batch.now
    if sent:
        enrollment.touches_sent += 1
        enrollment.last_sent_at = now
    following, repeats = _following_step(enrollment)
    if following is None:
        with transaction.atomic():
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
    batch.rescheduled[enrollment.pk] = enrollment


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
