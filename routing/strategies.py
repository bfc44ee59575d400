"""How a rule chooses among eligible officers. Each returns the officers to offer the lead to."""

from datetime import UTC, datetime

from routing.eligibility import Candidate
from routing.models import RoutingRule, Strategy

NEVER = datetime.min.replace(tzinfo=UTC)


def pick(rule: RoutingRule, candidates: list[Candidate]) -> list[Candidate]:
    """Precondition: `candidates` is not empty and the caller holds the rule's row lock."""
    if rule.strategy == Strategy.BROADCAST:
        return list(candidates)
    if rule.strategy == Strategy.LEAST_LOADED:
        return [least_loaded(candidates)]
    return [round_robin(rule, candidates)]


def least_loaded(candidates: list[Candidate]) -> Candidate:
    """Fewest open leads; among equals, whoever waited longest since their last offer."""

    return min(candidates, key=lambda c: (c.load, c.last_offered_at or NEVER, c.officer.pk))


def round_robin(rule: RoutingRule, candidates: list[Candidate]) -> Candidate:
    """The next officer after the last one this rule chose, wrapping around.

    The position is saved on the rule, so turns stay fair across restarts and workers."""
    ordered = sorted(candidates, key=lambda c: c.officer.pk)
    chosen = next((c for c in ordered if c.officer.pk > rule.round_robin_after), ordered[0])
    rule.round_robin_after = chosen.officer.pk
    rule.save(update_fields=["round_robin_after"])
    return chosen
