"""Each borrower gets one variant per test, decided by weight, the same every time, and kept."""

import uuid

import pytest

from experiments import services
from experiments.models import Assignment, Experiment, Variant
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def first_text_test(*weights, name="First text"):
    experiment = Experiment.objects.create(name=name, target="first_text")
    for letter, weight in zip("ABCD", weights, strict=False):
        Variant.objects.create(
            experiment=experiment,
            name=letter,
            weight=weight,
            body="" if letter == "A" else f"{letter}: Hi {{first_name}}! {{question}}",
        )
    return experiment


def test_the_same_borrower_always_lands_in_the_same_bucket():
    lead_id = uuid.UUID("00000000-0000-0000-0000-000000000042")
    assert services.bucket(7, lead_id) == services.bucket(7, lead_id)
    assert services.bucket(7, lead_id) != services.bucket(8, lead_id)


def test_weights_split_borrowers_in_proportion():
    experiment = first_text_test(3, 1)
    variants = list(experiment.variants.order_by("id"))
    picks = [
        services.pick_variant(variants, services.bucket(experiment.pk, uuid.uuid4())).name
        for _ in range(4000)
    ]
    assert 0.72 < picks.count("A") / len(picks) < 0.78


def test_a_borrower_is_assigned_once_and_keeps_the_variant_when_weights_change():
    experiment = first_text_test(1, 1)
    lead = LeadFactory()
    first = services.variant_for(lead=lead, target="first_text")
    experiment.variants.exclude(pk=first.pk).update(weight=1000)
    assert services.variant_for(lead=lead, target="first_text") == first
    assert Assignment.objects.get(lead=lead).variant == first


def test_without_a_running_test_the_text_is_unchanged():
    assert services.variant_for(lead=LeadFactory(), target="first_text") is None
    assert services.variant_for(lead=LeadFactory(), target="cadence_step", step_id=1) is None


def test_the_kept_winner_of_an_ended_first_text_test_goes_to_everyone():
    experiment = first_text_test(1, 1)
    winner = experiment.variants.get(name="B")
    services.experiment_end(experiment=experiment, winner=winner, actor="test")
    assert services.variant_for(lead=LeadFactory(), target="first_text") == winner
    assert not Assignment.objects.exists()


def test_a_test_ends_once():
    experiment = first_text_test(1, 1)
    services.experiment_end(experiment=experiment, winner=None, actor="test")
    with pytest.raises(services.ApplicationError):
        services.experiment_end(experiment=experiment, winner=None, actor="test")
