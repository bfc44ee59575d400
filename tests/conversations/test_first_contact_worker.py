"""The first text goes out through the real django-q2 workers (`qcluster`), not inline mode."""

import time

import pytest
from django_q.conf import Conf

from conversations.models import Message
from tests import stack

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Generous for a loaded CI machine; on an idle one the text is out in about two seconds.
DEADLINE_SECONDS = 30


@pytest.fixture
def worker(tmp_path):
    """Both lanes of real `manage.py qcluster` on the test database; always stopped afterwards."""
    with stack.workers(stack.service_env(DEBUG="true"), tmp_path):
        yield lambda: "\n".join(stack.tail(log, 3000) for log in sorted(tmp_path.glob("worker-*.log")))


@pytest.fixture
def enqueue_for_the_worker(monkeypatch):
    # tests/settings.py runs tasks inline; here they must go to the broker for the worker.
    monkeypatch.setattr(Conf, "SYNC", False)


def wait_for(condition, *, deadline_seconds: float):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    return condition()


def test_it_texts_a_lead_posted_through_the_api_from_the_real_worker(api, enqueue_for_the_worker, worker):
    response = api.post(
        "/api/v1/leads/",
        {"first_name": "Rosa", "phone": "(512) 555-0142", "sms_consent": True, "consent_text": "I agree"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    lead_id = response.json()["id"]

    def sent_texts():
        messages = api.get(f"/api/v1/leads/{lead_id}/messages/").json()["results"]
        return [m for m in messages if m["status"] == "sent"]

    sent = wait_for(sent_texts, deadline_seconds=DEADLINE_SECONDS)
    assert len(sent) == 1, f"no text sent within {DEADLINE_SECONDS}s; worker log:\n{worker()}"
    assert sent[0]["direction"] == "outbound"
    assert "Rosa" in sent[0]["body"]
    assert "STOP" in sent[0]["body"]
    assert Message.objects.get(pk=sent[0]["id"]).provider_sid.startswith("CONSOLE")
