from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from integrations import services
from integrations.models import CrmIntegration, EventType
from tests.factories import WebhookSubscriptionFactory
from tests.fakes.totalexpert import FakeTotalExpert
from tests.fakes.webhook_receiver import WebhookReceiver

# A Monday afternoon in Texas: inside every contact window.
START = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    """A frozen clock: `clock.shift(seconds)` moves it; nothing sleeps."""
    time_machine.move_to(START, tick=False)
    return time_machine


@pytest.fixture
def receiver():
    with WebhookReceiver() as server:
        yield server


@pytest.fixture
def subscribe(db):
    def make(url, *, events=None, owner=None):
        return WebhookSubscriptionFactory(url=url, events=events or list(EventType.values), owner=owner)

    return make


@pytest.fixture
def sweep(run_tasks):
    """One round of the every-minute sweeper, with what it queues run as the worker would."""

    def run():
        with run_tasks():
            return services.deliveries_sweep()

    return run


TE_OWNER = "ops@lender.example.com"
TE_WEBHOOK_SECRET = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.fixture
def totalexpert(settings):
    """A fake Total Expert at TOTAL_EXPERT_API_BASE_URL, with one user (the default owner)."""
    cache.clear()  # tokens and user ids are cached per integration id, which tests reuse
    with FakeTotalExpert() as fake:
        settings.TOTAL_EXPERT_API_BASE_URL = fake.url
        fake.add_user(email=TE_OWNER, username="ops")
        yield fake
    cache.clear()


@pytest.fixture
def te_integration(totalexpert):
    return services.crm_integration_save(
        integration=CrmIntegration(
            name="Total Expert",
            kind="total_expert",
            client_id=totalexpert.client_id,
            client_secret=totalexpert.client_secret,
            default_owner=TE_OWNER,
            webhook_secret=TE_WEBHOOK_SECRET,
        )
    )
