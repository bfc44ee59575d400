"""Results per variant with confidence intervals, and a verdict in plain words."""

from datetime import UTC, datetime, timedelta

import pytest

from conversations.models import Direction, Kind
from experiments.models import Assignment, Experiment, Variant
from leads.models import LeadEvent
from reporting.experiments import best_variant, experiment_results, verdicts
from tests.factories import LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db
SENT = datetime(2026, 4, 1, 15, 0, tzinfo=UTC)


def run_test(outcomes: dict[str, dict]) -> Experiment:
    """outcomes: per variant name, how many borrowers were texted and what they did."""
    experiment = Experiment.objects.create(name="First text", target="first_text")
    for name, counts in outcomes.items():
        variant = Variant.objects.create(
            experiment=experiment, name=name, body="" if name == "A" else "Hi! {question}"
        )
        for n in range(counts["sent"]):
            lead = LeadFactory()
            text = MessageFactory(lead=lead, kind=Kind.FIRST_CONTACT, created_at=SENT, sent_at=SENT)
            Assignment.objects.create(experiment=experiment, variant=variant, lead=lead, message=text)
            if n < counts.get("replied", 0):
                MessageFactory(lead=lead, direction=Direction.INBOUND, kind=Kind.INBOUND, sender="borrower",
                               status="received", created_at=SENT + timedelta(hours=2))  # fmt: skip
            elif n < counts.get("replied", 0) + counts.get("late", 0):
                MessageFactory(lead=lead, direction=Direction.INBOUND, kind=Kind.INBOUND, sender="borrower",
                               status="received", created_at=SENT + timedelta(hours=30))  # fmt: skip
            if n < counts.get("qualified", 0):
                LeadEvent.objects.create(lead=lead, type="status_changed", created_at=SENT + timedelta(days=2),
                                         data={"from": "qualifying", "to": "qualified"})  # fmt: skip
            if counts["sent"] - n <= counts.get("opted_out", 0):
                LeadEvent.objects.create(lead=lead, type="opted_out", created_at=SENT + timedelta(minutes=1))
    return experiment


def test_it_counts_replies_within_24_hours_qualification_and_opt_outs_per_variant():
    experiment = run_test(
        {"A": {"sent": 4, "replied": 1, "late": 1, "qualified": 1}, "B": {"sent": 2, "opted_out": 1}}
    )
    a, b = experiment_results(experiment)
    assert (a.sends, a.replies.count, a.qualified.count, a.opt_outs.count) == (4, 1, 1, 0)
    assert (b.sends, b.replies.count, b.opt_outs.count) == (2, 0, 1)
    assert str(a.replies) == "1 of 4: 25.0% (95% CI 4.6% to 69.9%)"


def test_a_clear_difference_is_called_real():
    experiment = run_test({"A": {"sent": 100, "replied": 10}, "B": {"sent": 100, "replied": 30}})
    results = experiment_results(experiment)
    [verdict] = verdicts(results)
    assert verdict.startswith("B gets more replies than A (30.0% vs 10.0% replied within 24 h, p < 0.001)")
    assert verdict.endswith("the difference is real at 95% confidence.")
    assert best_variant(results).name == "B"


def test_a_small_difference_is_not_called_real_yet_and_says_how_many_texts_would_tell():
    experiment = run_test({"A": {"sent": 100, "replied": 12}, "B": {"sent": 100, "replied": 15}})
    [verdict] = verdicts(experiment_results(experiment))
    assert verdict.startswith("No real difference yet between B and A (15.0% vs 12.0%")
    assert "it may be chance. At this gap, about 2," in verdict


def test_it_waits_for_enough_texts_before_a_verdict():
    experiment = run_test({"A": {"sent": 10, "replied": 1}, "B": {"sent": 10, "replied": 9}})
    assert verdicts(experiment_results(experiment)) == [
        "B vs A: too early to tell (10 and 10 texts sent; wait for at least 30 each)."
    ]


def test_it_warns_when_the_better_variant_also_drives_opt_outs():
    experiment = run_test(
        {"A": {"sent": 100, "replied": 10}, "B": {"sent": 100, "replied": 30, "opted_out": 12}}
    )
    [verdict] = verdicts(experiment_results(experiment))
    assert verdict.endswith("Careful: B also makes more borrowers opt out (12.0% vs 0.0%).")
