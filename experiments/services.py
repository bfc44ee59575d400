"""Which variant a borrower gets: weighted, decided once per borrower and test, and kept."""

import hashlib

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from experiments import signals
from experiments.models import Assignment, Experiment, ExperimentStatus, Target, Variant
from leads.models import Lead
from mortgage_sms.errors import ApplicationError


def bucket(experiment_id: int, lead_id) -> float:
    """A number in [0, 1) fixed by the test and the borrower: the same on every run and machine."""
    digest = hashlib.sha256(f"{experiment_id}:{lead_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def pick_variant(variants: list[Variant], point: float) -> Variant:
    """The variant whose share of the weights covers `point`."""
    total = sum(v.weight for v in variants)
    reached = 0.0
    for variant in variants:
        reached += variant.weight / total
        if point < reached:
            return variant
    return variants[-1]


def running_experiment(*, target: str, step_id: int | None = None) -> Experiment | None:
    experiments = Experiment.objects.filter(status=ExperimentStatus.RUNNING, target=target)
    if target == Target.CADENCE_STEP:
        experiments = experiments.filter(step_id=step_id)
    return experiments.first()


def steps_under_test(step_ids) -> set[int]:
    """Which of these cadence steps have a running test: the others need no variant_for."""
    return set(
        Experiment.objects.filter(
            status=ExperimentStatus.RUNNING, target=Target.CADENCE_STEP, step_id__in=step_ids
        ).values_list("step_id", flat=True)
    )


def _first_text_experiment() -> Experiment | None:
    """The running first-text test, else the last finished one with a winner (whose wording is
    kept unless it is the control)."""
    # Asked for every lead's greeting. Its id in plain SQL: the ORM's building of this query
    # (a CASE in the ordering, an OR, a join) cost about 1 ms, more than the rest of the
    # greeting's decision; the test and its winner are read only when there is one.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Experiment._meta.db_table}"
            " WHERE target = %s AND (status = %s OR (status = %s AND winner_id IS NOT NULL))"
            " ORDER BY CASE WHEN status = %s THEN 0 ELSE 1 END, ended_at DESC NULLS LAST LIMIT 1",
            [Target.FIRST_TEXT, ExperimentStatus.RUNNING, ExperimentStatus.ENDED, ExperimentStatus.RUNNING],
        )
        row = cursor.fetchone()
    return Experiment.objects.select_related("winner").get(pk=row[0]) if row else None


def variant_for(*, lead: Lead, target: str, step_id: int | None = None) -> Variant | None:
    """The lead's variant in the running test of this text (assigning it the first time), the
    kept winner of a finished first-text test, or None: the text as it is."""
    if target == Target.FIRST_TEXT:
        experiment = _first_text_experiment()
        if experiment is not None and experiment.status == ExperimentStatus.ENDED:
            return None if experiment.winner.is_control else experiment.winner
    else:
        experiment = running_experiment(target=target, step_id=step_id)
    if experiment is None:
        return None
    existing = Assignment.objects.filter(experiment=experiment, lead=lead).select_related("variant").first()
    if existing:
        return existing.variant
    variants = list(experiment.variants.order_by("id"))
    if not variants:
        return None
    chosen = pick_variant(variants, bucket(experiment.pk, lead.pk))
    try:
        with transaction.atomic():
            Assignment.objects.create(experiment=experiment, variant=chosen, lead=lead)
    except IntegrityError:
        pass  # assigned a moment ago by a task running twice: the same variant, by construction
    return chosen


def assignment_record_text(*, lead: Lead, variant: Variant, message_id) -> None:
    """Note the text that carried the variant (the first one, if the task runs twice)."""
    Assignment.objects.filter(experiment_id=variant.experiment_id, lead=lead, message__isnull=True).update(
        message_id=message_id
    )


@transaction.atomic
def experiment_end(*, experiment: Experiment, winner: Variant | None, actor: str) -> None:
    """Stop assigning; the winner (if any) becomes the text everyone gets."""
    if winner is not None and winner.experiment_id != experiment.pk:
        raise ApplicationError("The winner must be one of this test's variants.", field="winner")
    ended = Experiment.objects.filter(pk=experiment.pk, status=ExperimentStatus.RUNNING).update(
        status=ExperimentStatus.ENDED, ended_at=timezone.now(), winner=winner, ended_by=actor
    )
    if not ended:
        raise ApplicationError("This test has already ended.", status=409)
    experiment.refresh_from_db()
    signals.experiment_ended.send(sender=Experiment, experiment=experiment, winner=winner, actor=actor)
