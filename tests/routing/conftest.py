from datetime import UTC, datetime

import pytest

from leads import services as lead_services
from routing.models import RoutingRule
from tests.factories import LoanOfficerFactory, RoutingRuleFactory

# A Wednesday, 10:00 in Chicago (the officers' default time zone): everyone is at work.
WORKDAY_MORNING = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _only_the_rules_a_test_makes(db):
    """The migration seeds a catch-all rule; each test states the rules it routes by."""
    RoutingRule.objects.all().delete()


@pytest.fixture
def clock(time_machine):
    """Time stands still at a workday morning until the test moves it."""
    time_machine.move_to(WORKDAY_MORNING, tick=False)
    return time_machine


@pytest.fixture
def make_officer(db):
    def make(**fields):
        return LoanOfficerFactory(**{"licensed_states": ["TX", "OK"], **fields})

    return make


@pytest.fixture
def default_rule(db):
    """A catch-all, like the one the migration seeds."""
    return RoutingRuleFactory(name="Everyone", priority=1000)


@pytest.fixture
def qualify(run_tasks):
    """Mark a lead qualified as the assistant would, and run what that queues."""

    def qualify_lead(lead):
        with run_tasks():
            lead_services.lead_set_status(lead=lead, status="qualified", actor="assistant")
        lead.refresh_from_db()
        return lead

    return qualify_lead
