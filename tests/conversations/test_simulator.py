"""The borrower simulator at /simulator/: staff with its permission, console gateway only."""

import pytest
from django.contrib.auth.models import Permission
from django.utils.html import escape

from conversations.models import Direction, Kind, Message
from leads.models import Lead
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


def simulator_user(**fields):
    user = UserFactory(is_staff=True, **fields)
    user.user_permissions.add(Permission.objects.get(codename="use_simulator"))
    return user


@pytest.fixture
def staff_client(client):
    client.force_login(simulator_user(username="ops"))
    return client


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get("/simulator/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_refuses_a_signed_in_user_who_is_not_staff(client):
    client.force_login(UserFactory(username="officer"))

    response = client.get("/simulator/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("path", ["/simulator/", "/simulator/{lead}/", "/simulator/{lead}/reply/"])
def test_it_refuses_staff_without_the_simulator_permission(client, path):
    lead = LeadFactory(status="contacted")
    client.force_login(UserFactory(is_staff=True))

    response = client.post(path.format(lead=lead.pk), {"body": "STOP"})

    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.opted_out_at is None and not Message.objects.exists()


@pytest.mark.parametrize("path", ["/simulator/", "/simulator/{lead}/", "/simulator/{lead}/reply/"])
def test_it_does_not_exist_with_the_twilio_gateway(staff_client, settings, path):
    settings.SMS_BACKEND = "twilio"
    lead = LeadFactory()

    response = staff_client.post(path.format(lead=lead.pk), {"body": "Hi"})

    assert response.status_code == 404
    assert not Message.objects.exists()


def test_it_lists_recent_leads(staff_client):
    LeadFactory(first_name="Ana", last_name="Lopez")

    response = staff_client.get("/simulator/")

    assert response.status_code == 200
    assert "Ana Lopez" in response.content.decode()


def test_it_creates_a_lead_that_is_greeted_and_shows_the_thread(staff_client, run_tasks):
    form = {"first_name": "Ana", "phone": "512-555-0142", "state": "TX", "loan_purpose": "purchase"}
    with run_tasks():
        response = staff_client.post("/simulator/", {**form, "sms_consent": "on"})

    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/simulator/{lead.pk}/"
    assert (lead.phone, lead.first_name, lead.loan_purpose, lead.sms_consent) == (
        "+15125550142",
        "Ana",
        "purchase",
        True,
    )
    page = staff_client.get(response["Location"]).content.decode()
    assert "Hi Ana, it&#x27;s Acme Home Loans (NMLS #" in page


def test_it_explains_why_a_lead_without_consent_gets_no_text(staff_client, run_tasks):
    with run_tasks():
        response = staff_client.post("/simulator/", {"first_name": "Bo", "phone": "512-555-0143"})

    page = staff_client.get(response["Location"]).content.decode()
    assert "gave no SMS consent" in page
    assert not Message.objects.exists()


def test_it_shows_a_clear_error_for_a_bad_phone_number(staff_client):
    response = staff_client.post("/simulator/", {"first_name": "Ana", "phone": "12345", "sms_consent": "on"})

    assert response.status_code == 200
    assert "is not a valid phone number" in response.content.decode()
    assert not Lead.objects.exists()


def test_replying_as_the_borrower_lands_in_the_thread(staff_client, run_tasks):
    lead = LeadFactory(status="contacted")

    with run_tasks():
        response = staff_client.post(f"/simulator/{lead.pk}/reply/", {"body": "We want to buy this summer"})

    assert response.status_code == 302
    message = Message.objects.get(direction=Direction.INBOUND)
    assert (message.lead, message.body, message.from_number) == (
        lead,
        "We want to buy this summer",
        lead.phone,
    )
    lead.refresh_from_db()
    assert lead.loan_purpose == "purchase"
    answer = Message.objects.get(direction="outbound", sender="agent")
    page = staff_client.get(f"/simulator/{lead.pk}/?partial=1").content.decode()
    assert "We want to buy this summer" in page
    assert escape(answer.body) in page


def test_replying_stop_as_the_borrower_opts_out_with_one_confirmation(staff_client, run_tasks):
    lead = LeadFactory()

    with run_tasks():
        staff_client.post(f"/simulator/{lead.pk}/reply/", {"body": "STOP"})
        staff_client.post(f"/simulator/{lead.pk}/reply/", {"body": "stop"})

    lead.refresh_from_db()
    assert lead.status == "opted_out"
    assert Message.objects.filter(kind=Kind.COMPLIANCE).count() == 1
    page = staff_client.get(f"/simulator/{lead.pk}/").content.decode()
    assert "You are unsubscribed" in page


def test_an_empty_reply_sends_nothing(staff_client):
    lead = LeadFactory()

    response = staff_client.post(f"/simulator/{lead.pk}/reply/", {"body": ""})

    assert response.status_code == 302
    assert not Message.objects.exists()
