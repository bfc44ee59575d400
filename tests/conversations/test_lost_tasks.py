"""Work whose task never reached the broker is found again: a borrower's text, a first text."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conversations import services, tasks
from conversations.models import Direction, Kind, Message, MessageStatus
from leads import services as lead_services
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

SMS_PATH = "/webhooks/twilio/sms/"
PHONE = "+15125550100"
NOON = datetime(2025, 6, 3, 17, 0, tzinfo=UTC)  # 12:00 in Texas


def inbound(body: str, *, sid: str = "SM" + "d" * 32, from_number: str = PHONE) -> dict:
    return {"MessageSid": sid, "From": from_number, "To": "+15125559999", "Body": body}


def confirmations(lead) -> list[str]:
    return list(
        Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, kind=Kind.COMPLIANCE).values_list(
            "body", flat=True
        )
    )


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def test_a_twilio_retry_of_a_text_whose_task_was_lost_handles_it_once(twilio_post, run_tasks):
    lead = LeadFactory(phone=PHONE, status="contacted")
    twilio_post(SMS_PATH, inbound("HELP"))  # stored; its task never reached the broker

    with run_tasks():
        response = twilio_post(SMS_PATH, inbound("HELP"))  # Twilio retries the webhook

    assert response.status_code == 200
    assert len(confirmations(lead)) == 1
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1


def test_the_sweeper_handles_a_text_whose_task_was_lost(twilio_post, run_tasks):
    lead = LeadFactory(phone=PHONE, status="contacted")
    with at(NOON):
        twilio_post(SMS_PATH, inbound("help"))

    with at(NOON + timedelta(seconds=30)), run_tasks():
        tasks.sweep_outbox()  # too soon: its own task may still be on its way
    assert confirmations(lead) == []

    with at(NOON + timedelta(minutes=2)), run_tasks():
        tasks.sweep_outbox()
        tasks.sweep_outbox()
    [help_answer] = confirmations(lead)
    assert "NMLS" in help_answer


def test_a_stop_is_acted_on_by_the_webhook_itself_with_no_task_to_lose(twilio_post):
    lead = LeadFactory(phone=PHONE, status="contacted")
    with at(NOON):
        twilio_post(SMS_PATH, inbound("stop texting me"))  # no task runs

    lead.refresh_from_db()
    assert lead.status == "opted_out"
    assert len(confirmations(lead)) == 1


def test_the_sweeper_greets_a_new_lead_whose_first_text_was_lost(run_tasks):
    with at(NOON):  # committed, but the send_first_contact task never reached the broker
        lead = lead_services.lead_intake(
            phone=PHONE,
            submitted_by="web form",
            contact={"first_name": "Ana", "state": "TX"},
            sms_consent=True,
            consent_text="I agree to texts.",
        ).lead

    with at(NOON + timedelta(minutes=2)), run_tasks():
        result = tasks.sweep_outbox()
        tasks.sweep_outbox()

    assert result["first_contacts_requeued"] == 1
    [greeting] = Message.objects.filter(lead=lead, kind=Kind.FIRST_CONTACT)
    assert greeting.status == MessageStatus.SENT
    assert greeting.body.startswith("Hi Ana")
    lead.refresh_from_db()
    assert lead.status == "contacted"


def test_the_sweeper_greets_no_one_who_may_not_be_texted_or_who_texted_us_first(run_tasks):
    with at(NOON):
        lead_services.lead_intake(phone="+15125550101", submitted_by="web form", sms_consent=False)
        opted_out = lead_services.lead_intake(
            phone="+15125550102", submitted_by="web form", sms_consent=True, consent_text="I agree"
        ).lead
        lead_services.lead_opt_out(lead=opted_out, words="STOP")
        services.inbound_receive(
            from_number="+15125550103",
            to_number="+15125559999",
            body="Hi, I want to refinance",
            provider_sid="SM1",
        )
        lead_services.lead_intake(
            phone="+15125550104", submitted_by="web form", sms_consent=True, consent_text="I agree"
        )

    with at(NOON + timedelta(seconds=30)), run_tasks():
        too_soon = tasks.sweep_outbox()
    with at(NOON + timedelta(minutes=2)), run_tasks():
        tasks.sweep_outbox()

    assert too_soon["first_contacts_requeued"] == 0
    greeted = Message.objects.filter(kind=Kind.FIRST_CONTACT).values_list("lead__phone", flat=True)
    assert list(greeted) == ["+15125550104"]
    texted_first = Lead.objects.get(phone="+15125550103")
    assert texted_first.status == "qualifying"  # its lost text was handled: the assistant answered
    assert texted_first.messages.filter(kind=Kind.REPLY).count() == 1
