"""/healthz and /readyz for load balancers and uptime checks, and what the API says when the
database or the job broker cannot be reached."""

import logging
from datetime import timedelta

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import timezone
from django_q.conf import Conf

from conversations.models import MessageStatus
from leads.models import Lead
from mortgage_sms.middleware import ServiceUnavailableMiddleware
from tests.factories import MessageFactory
from tests.fakes.twilio_server import refused_base_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_nowhere():
    """A redis:// URL on which nothing listens (the port is held, so no one takes it)."""
    url, holder = refused_base_url()
    yield url.replace("http://", "redis://") + "/0"
    holder.close()


def test_healthz_answers_while_the_process_serves(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_readyz_reports_the_database_the_broker_and_the_counts_ops_watch(client):
    now = timezone.now()
    MessageFactory(status=MessageStatus.QUEUED)
    MessageFactory(status=MessageStatus.QUEUED, created_at=now - timedelta(minutes=5))
    MessageFactory(status=MessageStatus.SENDING)
    MessageFactory(status=MessageStatus.UNKNOWN)
    MessageFactory(status=MessageStatus.UNKNOWN, updated_at=now)

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"]) == ("ready", "ok")
    assert body["broker"] == {
        "kind": "database",
        "status": "ok",
        "tasks_waiting": {"mortgage_sms": 0, "priority": 0},
    }
    assert body["outbox"] == {
        "queued": 2,
        "queued_overdue": 1,
        "sending": 1,
        "unknown_last_24h": 2,
        "failed_last_24h": 0,
    }
    assert body["task_failures_last_hour"] == 0


def test_readyz_is_a_503_with_retry_after_when_the_broker_is_unreachable(client, settings, redis_nowhere):
    settings.REDIS_URL = redis_nowhere

    response = client.get("/readyz")

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response.json()["status"] == "unavailable"
    assert response.json()["broker"]["status"].startswith("unreachable")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/api/v1/leads/", "application/json"),
        ("/webhooks/twilio/sms/", "application/json"),
        ("/admin/", "text/html"),
    ],
)
def test_a_database_that_cannot_be_reached_is_a_503_with_retry_after(path, content_type, caplog):
    middleware = ServiceUnavailableMiddleware(lambda request: None)
    request = RequestFactory().post(path)

    with caplog.at_level(logging.ERROR):
        response = middleware.process_exception(request, OperationalError("connection refused"))

    assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert response["Content-Type"].startswith(content_type)
    assert "503 for POST" in caplog.text


@pytest.mark.django_db(transaction=True)  # the enqueue runs on commit, inside the request
def test_the_api_answers_201_for_a_lead_it_stored_when_the_broker_is_down(
    api, monkeypatch, redis_nowhere, caplog
):
    # The broker as production has it, but unreachable: Redis, tasks not run inline.
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "BROKER_CLASS", None)  # set for the database broker only
    monkeypatch.setattr(Conf, "REDIS", redis_nowhere)
    body = {"first_name": "Ana", "phone": "512-555-0100", "sms_consent": True, "consent_text": "I agree."}

    with caplog.at_level(logging.ERROR, logger="mortgage_sms.jobs"):
        response = api.post("/api/v1/leads/", body, format="json")

    assert response.status_code == 201
    assert Lead.objects.filter(pk=response.json()["id"]).exists()
    assert "a sweeper will find the work in the database" in caplog.text
