"""The guardrail corpus: replies that must be blocked and replies that must pass."""

import json
from pathlib import Path

from django.conf import settings

from conversations.qualification import guardrails

DEFAULT_CORPUS = Path(settings.BASE_DIR) / "tests" / "data" / "guardrail_corpus.jsonl"


def load_corpus(path: Path = DEFAULT_CORPUS) -> list[dict]:
    rows = [json.loads(line) for line in Path(path).read_text().splitlines() if line.strip()]
    for number, row in enumerate(rows, start=1):
        if not isinstance(row.get("reply"), str) or not isinstance(row.get("block"), bool):
            raise ValueError(f"Line {number}: needs a string 'reply' and a boolean 'block'.")
    return rows


def score(rows: list[dict]) -> dict:
    """Precision and recall of the guardrails on the corpus, with the misses."""
    blocked = [(row, guardrails.violation(row["reply"])) for row in rows]
    caught = [row for row, rule in blocked if rule and row["block"]]
    false_alarms = [(row, rule) for row, rule in blocked if rule and not row["block"]]
    missed = [row for row, rule in blocked if not rule and row["block"]]
    flagged = len(caught) + len(false_alarms)
    return {
        "precision": len(caught) / flagged if flagged else 1.0,
        "recall": len(caught) / (len(caught) + len(missed)) if caught or missed else 1.0,
        "caught": caught,
        "false_alarms": false_alarms,
        "missed": missed,
    }
