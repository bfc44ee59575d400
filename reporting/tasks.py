"""django-q2 entry points: call one service. Safe to run twice at once (upserts)."""

from reporting import facts

# One run refreshes at most this many leads; the next run goes on (a first run after an
# import of many leads must stay well inside the task timeout).
REFRESH_LIMIT = 20_000


def refresh_stale_facts() -> int:
    return facts.facts_catch_up(limit=REFRESH_LIMIT)
