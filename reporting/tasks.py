"""django-q2 entry points: call one service. Safe to run twice at once (upserts)."""

from leads.models import Lead
from reporting import facts

# One run refreshes at most this many leads; the next run goes on (a first run after an
# import of many leads must stay well inside the task timeout).
REFRESH_LIMIT = 20_000


def refresh_stale_facts() -> int:
    stale = facts.stale_leads(Lead.objects.all()).order_by("-updated_at").values_list("pk", flat=True)
    ids = list(stale[:REFRESH_LIMIT])
    facts.facts_refresh(ids)
    return len(ids)
