"""The evaluation set and the eval_agent command: the scripted agent must keep its figures."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conversations.qualification import evaluation


@pytest.fixture(scope="module")
def conversations():
    return evaluation.load()


def test_the_set_is_large_and_varied_enough(conversations):
    assert len(conversations) >= 60
    endings = {c.expected_ending for c in conversations}
    assert endings == {"qualified", "not_ready", "handoff", "disqualified"}
    assert (
        sum(c.lead.get("language") == "es" or "quiero" in " ".join(c.messages) for c in conversations) >= 10
    )


def test_the_scripted_agent_gets_the_fields_and_endings_right(conversations):
    report = evaluation.evaluate(conversations, backend="scripted")
    assert report.overall_field_accuracy() >= 0.97
    assert report.stated_fact_accuracy() >= 0.95
    assert report.overall_ending_accuracy() >= 0.95
    assert min(report.field_accuracy().values()) >= 0.9


def test_the_command_prints_accuracy_per_field_and_per_ending():
    out = StringIO()
    call_command("eval_agent", "--backend", "scripted", stdout=out)
    printed = out.getvalue()
    for name in [
        "loan_purpose",
        "timeline",
        "property_state",
        "credit",
        "all fields",
        "qualified",
        "disqualified",
    ]:
        assert name in printed
    assert "Agent backend: scripted" in printed


def test_the_command_refuses_the_claude_backend_without_a_key(settings):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(CommandError, match="ANTHROPIC_API_KEY"):
        call_command("eval_agent", "--backend", "claude")


def test_the_command_reports_a_broken_file_clearly(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(
        '{"id": "x", "messages": [], "expected": {"ending": "qualified", "fields": {"shoe_size": 9}}}\n'
    )
    with pytest.raises(CommandError, match="not qualification fields"):
        call_command("eval_agent", "--file", str(path))
