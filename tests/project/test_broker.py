"""The database job broker (no Redis) queues what the ORM broker did, in the row it did."""

import pytest
from django.db import connection
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from leads.models import Lead
from mortgage_sms.broker import DatabaseBroker

pytestmark = pytest.mark.django_db


def test_without_redis_the_broker_is_the_database_one():
    assert isinstance(get_broker(), DatabaseBroker)


def test_a_queued_task_is_the_row_a_worker_takes():
    broker = get_broker("priority")
    before = timezone.now()

    queued_id = broker.enqueue("signed-package")

    row = OrmQ.objects.get(pk=queued_id)
    assert (row.key, row.payload) == ("priority", "signed-package")
    assert before <= row.lock <= timezone.now()  # free to take at once
    assert broker.dequeue() == [(queued_id, "signed-package")]
    assert get_broker().dequeue() is None  # another lane's worker does not see it


def test_a_posted_leads_greeting_is_queued_on_the_priority_lane(api, monkeypatch, run_tasks):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker, as in production
    body = {"first_name": "Ana", "phone": "512-555-0100", "sms_consent": True, "consent_text": "I agree."}

    with run_tasks():
        response = api.post("/api/v1/leads/", body, format="json")

    assert response.status_code == 201
    [row] = OrmQ.objects.all()
    task = SignedPackage.loads(row.payload)
    lead = Lead.objects.get()
    assert (row.key, task["func"]) == ("priority", "conversations.tasks.send_first_contact")
    assert task["args"] == (str(lead.pk), lead.inquiries.get().pk)


@pytest.mark.django_db(transaction=True)  # autocommit after the request's commit, as in production
def test_queueing_a_greeting_asks_the_database_no_health_check(api, monkeypatch, settings):
    """The request's connection was checked when it began: queueing on commit must not make
    the next statement a second check (a SELECT 1 round trip per lead)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    checks = []
    real_is_usable = connection.is_usable
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or real_is_usable())
    body = {"first_name": "Ana", "phone": "512-555-0100", "sms_consent": True, "consent_text": "I agree."}
    api.post("/api/v1/leads/", body, format="json")  # the connection is open and checked

    response = api.post("/api/v1/leads/", {**body, "phone": "512-555-0101"}, format="json")

    assert response.status_code == 201
    assert OrmQ.objects.filter(key="priority").count() == 2  # both greetings queued
    assert checks == []
