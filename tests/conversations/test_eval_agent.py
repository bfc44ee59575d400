"""The evaluation the team steers by: written borrowers played through the agent."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conversations.qualification import evaluation

CATEGORIES = {
    "hot_borrower", "warm_borrower", "not_ready", "greeting", "multi_fact", "burst", "correction", "negation",
    "relative_date", "emoji", "tapback", "typo", "spanish", "third_party", "other_lender", "question",
    "handoff", "opt_out", "silent", "passing_mention",
}  # fmt: skip


@pytest.fixture(scope="module")
def conversations():
    return evaluation.load()


@pytest.fixture(scope="module")
def dev_report(conversations):
    return evaluation.evaluate([c for c in conversations if c.split == "dev"], backend="scripted")


def test_the_set_is_large_varied_and_keeps_a_held_out_split(conversations):
    dev = [c for c in conversations if c.split == "dev"]
    holdout = [c for c in conversations if c.split == "holdout"]
    assert len(dev) >= 150 and len(holdout) >= 40
    assert {c.category for c in dev} >= CATEGORIES
    assert sum(c.lead.get("language") == "es" for c in dev) >= 20
    assert {c.expected_ending for c in dev} == set(evaluation.ENDINGS)
    assert not {c.id for c in dev} & {c.id for c in holdout}


def test_the_scripted_agent_meets_the_targets_on_the_development_set(dev_report):
    total = dev_report.total()
    assert total.field_accuracy >= 0.95
    assert total.ending_accuracy >= 0.93
    assert total.breaks == 0
    assert total.awkward <= total.conversations / 6
    assert total.texts_to_offer <= 4


def test_hot_borrowers_reach_an_officer_within_four_of_their_texts(dev_report):
    hot = [o for o in dev_report.outcomes if o.conversation.category == "hot_borrower"]
    assert all(o.texts_to_offer is not None for o in hot)
    assert sum(o.texts_to_offer for o in hot) / len(hot) <= 4


def test_the_held_out_borrowers_never_see_a_reply_that_breaks_a_rule(conversations):
    report = evaluation.evaluate([c for c in conversations if c.split != "dev"], backend="scripted")
    assert report.total().breaks == 0


def test_the_third_blind_split_is_kept_held_out_and_a_third_spanish(conversations):
    blind3 = [c for c in conversations if c.split == "blind3"]
    spanish = [c for c in blind3 if c.lead.get("language") == "es" or c.category == "spanglish"]
    assert len(blind3) >= 40 and len(spanish) >= 0.3 * len(blind3)
    assert not {c.id for c in blind3} & {c.id for c in conversations if c.split != "blind3"}


@pytest.mark.parametrize(
    "reply, previous, known, expected",
    [
        ("Sorry, I didn't catch that. Which state?", [], {}, "didn't catch that"),
        ("Are you already pre-approved for a loan?", [], {"preapproved": True}, "re-asked a known fact (preapproved)"),
        ("Perfect. Which state is the property in?", ["Which state is the property in?"], {}, "repeated the question word for word"),
        ("Got it! Which state is it in?", ["Is the property in Texas? If not, which state?"], {}, "acknowledged, then asked the question just answered"),
        ("Thanks! When are you hoping to move forward?", [], {}, ""),
        ("¿Ya encontró una casa?", [], {}, "wrong language"),
    ],
)  # fmt: skip
def test_it_recognises_an_awkward_reply(reply, previous, known, expected):
    assert evaluation.awkwardness(reply, previous, known, "en") == expected


def test_the_command_prints_the_table_per_category():
    out = StringIO()
    call_command("eval_agent", "--backend", "scripted", "--split", "holdout", stdout=out)
    printed = out.getvalue()
    assert "Agent backend: scripted; split: holdout" in printed
    assert "| category " in printed and "| **all**" in printed
    for column in ("fields right", "endings right", "guardrail breaks", "awkward", "texts to offer (hot)"):
        assert column in printed


def test_the_command_refuses_the_claude_backend_without_a_key(settings):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(CommandError, match="ANTHROPIC_API_KEY"):
        call_command("eval_agent", "--backend", "claude")


def test_the_command_reports_a_broken_file_clearly(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(
        '{"id": "x", "script": [], "expected": {"ending": "qualified", "fields": {"shoe_size": 9}}}\n'
    )
    with pytest.raises(CommandError, match="not qualification fields"):
        call_command("eval_agent", "--file", str(path))
