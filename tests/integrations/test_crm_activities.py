"""Calls and appointments reach the CRMs as activity, by the same event path texts take."""

from datetime import UTC, datetime

import pytest
from django.core.cache import cache

from appointments import services as appointment_services
from appointments.slots import Slot
from calls.models import Call
from calls.services import _finish
from integrations import services
from integrations.models import CrmIntegration
from tests.factories import LeadFactory, LoanOfficerFactory
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.salesforce import FakeSalesforce

pytestmark = pytest.mark.django_db
AT = datetime(2026, 3, 4, 21, 0, tzinfo=UTC)


@pytest.fixture
def jane_and_maria(db):
    jane = LoanOfficerFactory(name="Jane Ramirez", licensed_states=["TX"])
    maria = LeadFactory(first_name="Maria", state="TX", status="claimed", assigned_officer=jane)
    return jane, maria


def a_completed_call(jane, maria, run_tasks):
    call = Call.objects.create(
        lead=maria, officer=jane, officer_number=jane.mobile_phone, borrower_number=maria.phone
    )
    with run_tasks():
        _finish(call, "completed", note="Talked with the borrower.", duration=252)


def book_and_cancel(jane, maria, run_tasks):
    with run_tasks():
        appointment = appointment_services.appointment_book(lead=maria, slot=Slot(AT, jane), actor="officer")
    with run_tasks():
        appointment_services.appointment_cancel(
            appointment=appointment, actor="officer", notify_borrower=False
        )


def test_hubspot_gets_the_call_and_the_meeting(settings, jane_and_maria, run_tasks):
    jane, maria = jane_and_maria
    with FakeHubSpot() as hubspot:
        settings.HUBSPOT_API_BASE_URL = hubspot.url
        services.crm_integration_save(
            integration=CrmIntegration(name="HubSpot", kind="hubspot", access_token=hubspot.token)
        )
        a_completed_call(jane, maria, run_tasks)
        book_and_cancel(jane, maria, run_tasks)

    assert hubspot.problems == []
    call, booked, cancelled = hubspot.activities
    assert (call["object"], call["hs_call_status"], call["hs_call_duration"]) == (
        "calls",
        "COMPLETED",
        "252000",
    )
    assert call["hs_call_title"] == "Call by Jane Ramirez: completed, 4 min 12 s"
    assert (booked["object"], booked["hs_meeting_outcome"]) == ("meetings", "SCHEDULED")
    assert booked["hs_meeting_start_time"] == "2026-03-04T21:00:00+00:00"
    assert cancelled["hs_meeting_outcome"] == "CANCELED"


def test_salesforce_gets_a_call_task_and_an_event(tmp_path, monkeypatch, jane_and_maria, run_tasks):
    jane, maria = jane_and_maria
    with FakeSalesforce() as salesforce:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", salesforce.ca_bundle(tmp_path))
        services.crm_integration_save(
            integration=CrmIntegration(
                name="Salesforce", kind="salesforce", instance_url=salesforce.url,
                access_token=salesforce.issue_token(),
            )
        )  # fmt: skip
        a_completed_call(jane, maria, run_tasks)
        book_and_cancel(jane, maria, run_tasks)
    cache.clear()

    assert salesforce.problems == []
    [call_task] = [task for task in salesforce.tasks if task.get("TaskSubtype") == "Call"]
    [cancel_task] = [task for task in salesforce.tasks if task["Subject"].startswith("Appointment")]
    assert (call_task["TaskSubtype"], call_task["CallDurationInSeconds"]) == ("Call", 252)
    assert cancel_task["Subject"] == "Appointment cancelled with Jane Ramirez"
    [event] = salesforce.events
    assert event["Subject"] == "Appointment booked with Jane Ramirez"
