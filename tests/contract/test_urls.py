"""The pages and webhooks the design names, at the URLs it names, answering as it says."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from twilio.request_validator import RequestValidator

from leads import services as lead_services
from routing.models import Offer, RoutingRule
from tests.conftest import TWILIO_AUTH_TOKEN
from tests.factories import (
    LeadFactory,
    LoanOfficerFactory,
    PoolFactory,
    QualifiedLeadFactory,
    RoutingRuleFactory,
    UserFactory,
)
from tests.routing.conftest import WORKDAY_MORNING

pytestmark = pytest.mark.django_db

TWILIO_WEBHOOKS = [
    "/webhooks/twilio/sms/",
    "/webhooks/twilio/status/",
    "/webhooks/twilio/voice/",
    "/webhooks/twilio/voice/status/",
]


@pytest.fixture
def staff(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_healthz_and_readyz_answer_load_balancers(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


@pytest.mark.parametrize("path", ["/admin/", "/admin/reports/"])
def test_the_admin_pages_answer_staff_and_send_others_to_log_in(client, staff, path):
    assert staff.get(path).status_code == 200
    assert Client().get(path).status_code == 302


def test_the_reports_page_exports_csv(staff):
    response = staff.get("/admin/reports/", {"export": "funnel_by_source"})

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_the_officer_pages_answer_an_officer(client):
    officer = LoanOfficerFactory()
    lead = LeadFactory(status="claimed", assigned_officer=officer)
    client.force_login(officer.user)

    assert client.get("/officer/").status_code == 200
    assert client.get(f"/officer/leads/{lead.pk}/").status_code == 200
    assert Client().get("/officer/").status_code == 302


def test_an_officer_claims_an_offered_lead_at_the_claim_url(client, time_machine, run_tasks):
    time_machine.move_to(WORKDAY_MORNING, tick=False)
    RoutingRule.objects.all().delete()
    officer = LoanOfficerFactory()
    RoutingRuleFactory(pool=PoolFactory(members=[officer]))
    with run_tasks():
        lead = QualifiedLeadFactory()
        lead_services.lead_set_status(lead=lead, status="qualified", actor="assistant")
    assert Offer.objects.filter(lead=lead, officer=officer).exists()
    client.force_login(officer.user)

    with run_tasks():
        response = client.post(f"/officer/leads/{lead.pk}/claim/")

    lead.refresh_from_db()
    assert response.status_code == 302
    assert (lead.status, lead.assigned_officer) == ("claimed", officer)


def test_the_call_url_answers_the_officer_of_the_lead(client):
    officer = LoanOfficerFactory()
    lead = LeadFactory(status="claimed", assigned_officer=officer)
    client.force_login(officer.user)

    response = client.post(f"/officer/leads/{lead.pk}/call/", {"token": "press-1"})

    assert response.status_code == 302 and response["Location"] == f"/officer/leads/{lead.pk}/"


def test_the_simulator_is_for_staff_with_permission_while_the_console_gateway_is_on(client, settings):
    plain_staff = UserFactory(is_staff=True)
    allowed = UserFactory(is_staff=True)
    allowed.user_permissions.add(Permission.objects.get(codename="use_simulator"))

    client.force_login(plain_staff)
    assert client.get("/simulator/").status_code == 403
    client.force_login(allowed)
    assert client.get("/simulator/").status_code == 200
    settings.SMS_BACKEND = "twilio"
    assert client.get("/simulator/").status_code == 404


@pytest.mark.parametrize("path", TWILIO_WEBHOOKS)
@pytest.mark.parametrize("signature", [None, "wrong"])
def test_twilio_webhooks_refuse_a_missing_or_wrong_signature(client, path, signature):
    headers = {} if signature is None else {"HTTP_X_TWILIO_SIGNATURE": signature}

    assert client.post(path, {"From": "+15125550142", "Body": "hi"}, **headers).status_code == 403


def test_the_signed_url_is_the_public_base_url_and_the_path(client, settings):
    settings.PUBLIC_BASE_URL = "https://sms.example.com"
    params = {"MessageSid": "SM" + "1" * 32, "From": "+15125550142", "To": "+15125550000", "Body": "hi"}
    signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(
        "https://sms.example.com/webhooks/twilio/sms/", params
    )

    response = client.post("/webhooks/twilio/sms/", params, HTTP_X_TWILIO_SIGNATURE=signature)

    assert response.status_code == 200
