import pytest
from django_q.conf import Conf

from tests import stack


@pytest.fixture
def twilio():
    """The benchmark's fake Twilio, for subprocesses to send through, with scripted faults."""
    with stack.fake_twilio() as fake:
        yield fake


@pytest.fixture
def env(twilio):
    return stack.fault_env(twilio)


@pytest.fixture
def to_the_broker(monkeypatch):
    """Work this test process queues goes to the broker, for the subprocess workers (the test
    settings otherwise run tasks inline)."""
    monkeypatch.setattr(Conf, "SYNC", False)
