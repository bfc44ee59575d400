"""The guardrails, measured on the corpus of replies that must be blocked and must pass."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from conversations.qualification.guardrail_corpus import load_corpus, score


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_the_corpus_covers_every_kind_of_reply_that_must_never_go_out(corpus):
    must_block = [row for row in corpus if row["block"]]
    assert len(must_block) >= 150
    assert len(corpus) - len(must_block) >= 75
    assert {row["category"] for row in must_block} >= {
        "rate_figure", "rate_move", "points", "payment_figure", "approval_promise",
        "credit_score_promise", "birth_date", "ssn_request", "account_number", "protected_characteristic",
    }  # fmt: skip
    warnings = [row for row in corpus if not row["block"] and "SSN" in row["reply"]]
    assert len(warnings) >= 3


def test_the_guardrails_block_every_bad_reply_and_let_every_good_one_through(corpus):
    result = score(corpus)
    assert [row["reply"] for row in result["missed"]] == []
    assert [row["reply"] for row, _ in result["false_alarms"]] == []
    assert (result["precision"], result["recall"]) == (1.0, 1.0)


def test_the_command_prints_precision_recall_and_each_category():
    out = StringIO()
    call_command("check_guardrails", stdout=out)
    printed = out.getvalue()
    assert "Precision: 100.0%   Recall: 100.0%" in printed
    assert "approval_promise" in printed and "rate_move" in printed


def test_the_command_names_a_reply_it_misses(tmp_path):
    path = tmp_path / "corpus.jsonl"
    path.write_text(
        '{"reply": "Rates are 6.5% today.", "block": true, "category": "rate_figure"}\n'
        '{"reply": "Which state is the home in?", "block": true, "category": "made_up"}\n'
    )
    out = StringIO()
    call_command("check_guardrails", "--file", str(path), stdout=out)
    assert "Recall: 50.0%" in out.getvalue()
    assert "MISSED (made_up): Which state is the home in?" in out.getvalue()


def test_the_command_reports_a_broken_file_clearly(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"reply": "hi"}\n')
    with pytest.raises(CommandError, match="boolean 'block'"):
        call_command("check_guardrails", "--file", str(path))
