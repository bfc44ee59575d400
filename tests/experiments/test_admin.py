"""Ops set up a test in the admin (variants checked like any template), read it, end it."""

import pytest

from experiments.models import Experiment, Variant
from nurture.models import Cadence
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client):
    client.force_login(UserFactory(username="ops", is_staff=True, is_superuser=True))
    return client


def form(target="first_text", step="", variants=()):
    data = {"name": "Shorter first text", "target": target, "step": step, "hypothesis": ""}
    data.update({"variants-TOTAL_FORMS": len(variants), "variants-INITIAL_FORMS": 0,
                 "variants-MIN_NUM_FORMS": 0, "variants-MAX_NUM_FORMS": 1000})  # fmt: skip
    for n, (name, body) in enumerate(variants):
        data.update({f"variants-{n}-name": name, f"variants-{n}-weight": 1, f"variants-{n}-body": body,
                     f"variants-{n}-body_es": ""})  # fmt: skip
    return data


SHORTER = "Hi {first_name}, {company} (NMLS #{company_nmls}) here. {question}"


def test_ops_start_a_test_of_the_first_text(ops):
    response = ops.post("/admin/experiments/experiment/add/", form(variants=[("A", ""), ("B", SHORTER)]))
    assert response.status_code == 302
    experiment = Experiment.objects.get()
    assert experiment.status == "running" and experiment.variants.count() == 2


def test_a_variant_with_an_unknown_placeholder_is_refused(ops):
    response = ops.post("/admin/experiments/experiment/add/", form(variants=[("A", ""), ("B", "Hi {name}!")]))
    assert "Unknown placeholder(s): {name}" in response.content.decode()
    assert not Experiment.objects.exists()


def test_a_first_text_variant_must_name_the_company_with_its_nmls_id_and_quote_no_terms(ops):
    variants = [("A", ""), ("B", "Hi {first_name}! Only 3% down. {question}")]
    page = ops.post("/admin/experiments/experiment/add/", form(variants=variants)).content.decode()
    assert "must carry the company&#x27;s NMLS ID" in page and "Reg Z trigger term" in page
    assert not Experiment.objects.exists()


def test_a_step_variant_passes_the_step_checks(ops):
    step = Cadence.objects.get(slug="no_reply_yet").steps.first()
    too_long = "Hi {first_name}! " + "x" * 480
    response = ops.post(
        "/admin/experiments/experiment/add/", form("cadence_step", step.pk, [("A", ""), ("B", too_long)])
    )
    assert "keep it to 3 at most" in response.content.decode()


def test_a_test_needs_two_variants(ops):
    response = ops.post("/admin/experiments/experiment/add/", form(variants=[("A", "")]))
    assert "An A/B test needs at least two variants." in response.content.decode()


def test_ending_a_step_test_keeps_the_winner_in_the_cadence(ops):
    step = Cadence.objects.get(slug="no_reply_yet").steps.first()
    experiment = Experiment.objects.create(name="Nudge", target="cadence_step", step=step)
    Variant.objects.create(experiment=experiment, name="A")
    winner = Variant.objects.create(experiment=experiment, name="B", body="{first_name}, still there?")
    page = ops.get(f"/admin/experiments/experiment/{experiment.pk}/change/").content.decode()
    assert 'id="ab-results"' in page and "End the test" in page
    response = ops.post(
        f"/admin/experiments/experiment/{experiment.pk}/end/", {"winner": winner.pk}, follow=True
    )
    assert "The test has ended. B is now the text everyone gets." in response.content.decode()
    step.refresh_from_db()
    experiment.refresh_from_db()
    assert step.body == "{first_name}, still there?"
    assert (experiment.status, experiment.winner, experiment.ended_by) == ("ended", winner, "admin:ops")
