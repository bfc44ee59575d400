from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from rest_framework.test import APIClient

from integrations import services
from integrations.models import CrmIntegration, CrmRecord, Delivery, DeliveryStatus
from leads import services as lead_services
from leads.models import Lead
from tests.factories import LeadFactory, LoanOfficerFactory
from tests.fakes.hubspot import FakeHubSpot

pytestmark = pytest.mark.django_db

LEAD = {"first_name": "Ana", "last_name": "Diaz", "phone": "(512) 555-0100", "email": "ana@example.com",
        "sms_consent": True, "consent_text": "I agree to texts.", "state": "TX", "loan_purpose": "purchase",
        "timeline": "0_30_days", "preapproved": True}  # fmt: skip


@pytest.fixture
def hubspot(settings):
    with FakeHubSpot() as fake:
        settings.HUBSPOT_API_BASE_URL = fake.url
        yield fake


@pytest.fixture
def integration(hubspot):
    return services.crm_integration_save(
        integration=CrmIntegration(name="HubSpot", kind="hubspot", access_token=hubspot.token)
    )


def change_status(lead, run_tasks, status="nurturing", actor="system"):
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status=status, actor=actor)


def test_it_keeps_the_contact_qualification_owner_and_texts_in_hubspot(api, hubspot, integration, run_tasks):
    hubspot.owners["ray@lender.example.com"] = "77"
    with run_tasks():
        lead_id = api.post("/api/v1/leads/", LEAD, format="json").json()["id"]
    officer = LoanOfficerFactory(email="ray@lender.example.com")
    with run_tasks():
        lead_services.lead_assign(lead=Lead.objects.get(pk=lead_id), officer=officer, actor="routing")

    assert hubspot.problems == []
    [contact] = hubspot.contacts.values()
    assert contact["firstname"] == "Ana" and contact["phone"] == "+15125550100"
    assert contact["msms_loan_purpose"] == "purchase" and contact["msms_preapproved"] == "true"
    assert contact["msms_temperature"] == "hot" and contact["msms_status"] == "contacted"
    assert contact["msms_lead_id"] == lead_id
    assert contact["hubspot_owner_id"] == "77"
    [text] = hubspot.communications
    assert "Ana" in text["hs_communication_body"] and text["contact_id"] in hubspot.contacts
    integration.refresh_from_db()
    assert integration.last_success_at is not None and integration.failing_since is None


def test_it_updates_the_contact_it_finds_by_email_and_remembers_it(hubspot, integration, run_tasks):
    hubspot.contacts["42"] = {"email": "ana@example.com", "firstname": "Ana", "lifecyclestage": "lead"}
    lead = LeadFactory(email="ana@example.com", first_name="Ana")
    change_status(lead, run_tasks, "nurturing")
    change_status(lead, run_tasks, "unresponsive")

    assert list(hubspot.contacts) == ["42"]
    assert hubspot.contacts["42"]["msms_status"] == "unresponsive"
    assert hubspot.contacts["42"]["lifecyclestage"] == "lead"  # what we do not map is left alone
    assert sum(r.path.endswith("/search") for r in hubspot.requests) == 1
    assert CrmRecord.objects.get(object_type="lead").remote_id == "42"


def test_it_finds_a_contact_again_when_the_remembered_one_was_deleted(hubspot, integration, run_tasks):
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    hubspot.contacts.clear()
    change_status(lead, run_tasks, "unresponsive")

    [contact] = hubspot.contacts.values()
    assert contact["msms_status"] == "unresponsive"


def test_it_waits_as_long_as_hubspot_asks_after_a_429(clock, hubspot, integration, sweep, run_tasks):
    hubspot.fail_next(429, headers={"Retry-After": "20"}, body={"status": "error", "category": "RATE_LIMITS"})
    change_status(LeadFactory(), run_tasks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=20)
    clock.shift(20)
    sweep()
    assert len(hubspot.contacts) == 1
    assert list(Delivery.objects.get().attempt_log.values_list("status_code", flat=True)) == [429, None]


def test_it_retries_hubspot_server_errors(clock, hubspot, integration, sweep, run_tasks):
    hubspot.fail_next(502, times=2)
    change_status(LeadFactory(), run_tasks)
    clock.shift(5)
    sweep()
    clock.shift(300)
    sweep()

    assert len(hubspot.contacts) == 1
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_it_reports_a_rejected_property_and_moves_on(hubspot, integration, run_tasks):
    hubspot.fail_next(400, body={"status": "error", "message": "Property msms_credit does not exist"})
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    change_status(lead, run_tasks, "unresponsive")

    failed, done = Delivery.objects.order_by("pk")
    assert failed.status == DeliveryStatus.FAILED and "msms_credit does not exist" in failed.last_error
    assert done.status == DeliveryStatus.SUCCEEDED
    integration.refresh_from_db()
    assert "msms_credit does not exist" in integration.last_failure_message


def test_a_refused_token_switches_the_integration_off_until_an_operator_fixes_it(
    settings, hubspot, integration, run_tasks
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    CrmIntegration.objects.filter(pk=integration.pk).update(access_token="pat-na1-revoked")
    change_status(LeadFactory(), run_tasks)

    integration.refresh_from_db()
    assert not integration.active and "credentials" in integration.disabled_reason
    assert Delivery.objects.get().status == DeliveryStatus.PENDING  # kept for when it is fixed
    [alert] = mail.outbox
    assert "HubSpot" in alert.subject

    CrmIntegration.objects.filter(pk=integration.pk).update(access_token=hubspot.token)
    with run_tasks():
        services.target_enable(target=integration)
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED
    assert len(hubspot.contacts) == 1


def test_it_uses_the_token_from_the_environment_when_the_admin_leaves_it_blank(
    settings, hubspot, integration, run_tasks
):
    settings.HUBSPOT_ACCESS_TOKEN = hubspot.token
    CrmIntegration.objects.filter(pk=integration.pk).update(access_token="")
    change_status(LeadFactory(), run_tasks)
    assert len(hubspot.contacts) == 1


def test_a_status_hubspot_set_is_not_pushed_back_to_it(hubspot, integration, run_tasks):
    crm, token = services.api_client_create(name="HubSpot workflow")
    CrmIntegration.objects.filter(pk=integration.pk).update(api_client=crm)
    lead = LeadFactory()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    with run_tasks():
        client.patch(f"/api/v1/leads/{lead.pk}/", {"status": "closed_lost"}, format="json")

    assert hubspot.requests == []
    assert not Delivery.objects.exists()
