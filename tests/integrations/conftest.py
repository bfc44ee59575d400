from datetime import UTC, datetime

import pytest

from integrations import services
from integrations.models import EventType
from tests.factories import WebhookSubscriptionFactory
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
