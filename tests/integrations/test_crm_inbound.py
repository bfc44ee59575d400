"""The CRM talks back: it pushes leads in and sets statuses, and is not told its own news."""

import pytest
from rest_framework.test import APIClient

from conversations import services as conversation_services
from conversations.models import Kind, Message, MessageStatus, Sender
from integrations.services import api_client_create
from tests.factories import LeadFactory, TextingLeadFactory
from tests.fakes.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

LEAD = {"first_name": "Ana", "phone": "(512) 555-0100", "sms_consent": True, "consent_text": "I agree."}


@pytest.fixture
def crm(db):
    client, token = api_client_create(name="Acme CRM")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    api.client = client
    return api


@pytest.fixture
def other_receiver():
    with WebhookReceiver() as server:
        yield server


def test_a_do_not_contact_from_the_crm_stops_all_texting_at_once(crm, run_tasks):
    lead = TextingLeadFactory()  # just texted us: the reply would go at any hour
    queued = conversation_services.send_sms(
        lead=lead, body="Following up", kind=Kind.REPLY, sender=Sender.AGENT
    )

    response = crm.patch(f"/api/v1/leads/{lead.pk}/", {"status": "do_not_contact"}, format="json")

    assert response.status_code == 200 and response.json()["status"] == "do_not_contact"
    conversation_services.message_deliver(message_id=queued.message.pk)
    assert Message.objects.get(pk=queued.message.pk).status == MessageStatus.FAILED
    later = conversation_services.send_sms(
        lead=lead, body="Hello again", kind=Kind.REPLY, sender=Sender.AGENT
    )
    assert later.blocked_reason == "do_not_contact"


def test_the_crm_cannot_lift_a_do_not_contact(crm):
    lead = LeadFactory()
    crm.patch(f"/api/v1/leads/{lead.pk}/", {"status": "do_not_contact"}, format="json")
    response = crm.patch(f"/api/v1/leads/{lead.pk}/", {"status": "qualified"}, format="json")
    assert response.status_code == 409


def test_a_lead_the_crm_pushed_in_is_not_sent_back_to_it_as_new(
    crm, receiver, other_receiver, subscribe, run_tasks
):
    subscribe(receiver.url, owner=crm.client, events=["lead.created", "message.sent"])
    subscribe(other_receiver.url, events=["lead.created"])
    with run_tasks():
        crm.post("/api/v1/leads/", LEAD, format="json")

    assert receiver.acknowledged_types() == ["message.sent"]  # our first text is news to the CRM
    assert other_receiver.acknowledged_types() == ["lead.created"]


def test_statuses_the_crm_sets_reach_every_other_subscriber(
    crm, receiver, other_receiver, subscribe, run_tasks
):
    subscribe(receiver.url, owner=crm.client)
    subscribe(other_receiver.url, events=["lead.updated"])
    lead = LeadFactory()
    with run_tasks():
        crm.patch(f"/api/v1/leads/{lead.pk}/", {"status": "closed_lost"}, format="json")
        crm.patch(f"/api/v1/leads/{lead.pk}/", {"status": "closed_won", "credit": "good"}, format="json")

    assert receiver.requests == []
    # Each step as it happened: the status, then the credit (applied first), then the new status.
    seen = [
        (e["data"]["status"], e["data"]["qualification"]["credit"])
        for e in other_receiver.acknowledged_events()
    ]
    assert seen == [("closed_lost", None), ("closed_lost", "good"), ("closed_won", "good")]
