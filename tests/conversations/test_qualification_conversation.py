"""Whole conversations through the signed inbound webhook and the worker's task path."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.dispatch import receiver

from conversations import services, signals, tasks
from conversations.models import AgentTurn, Message
from leads import services as lead_services
from leads.models import Lead, LeadEvent
from tests.conversations.qualification_helpers import agent_replies, last_reply, text_in
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def greeted_lead(run_tasks):
    """A web lead from Texas who has had the first text (which asks buy or refinance)."""
    lead = LeadFactory(first_name="Ana", state="TX", phone="+15125550142")
    with run_tasks():
        services.first_contact_send(lead_id=lead.pk, inquiry_id=1)
    lead.refresh_from_db()
    return lead


def converse(client, run_tasks, lead, *texts):
    for body in texts:
        with run_tasks():
            text_in(client, lead.phone, body)
    lead.refresh_from_db()
    return lead


@pytest.fixture
def handoffs():
    received = []

    @receiver(signals.handoff_requested, weak=False, dispatch_uid="test-handoffs")
    def collect(sender, lead, reason, **kwargs):
        received.append((lead.pk, reason))

    yield received
    signals.handoff_requested.disconnect(dispatch_uid="test-handoffs")


def test_it_qualifies_a_borrower_and_tells_them_an_officer_will_call(client, run_tasks, greeted_lead):
    lead = converse(
        client, run_tasks, greeted_lead,
        "buying, within 30 days", "yes we're under contract", "yes", "already preapproved",
        "first time", "yes", "fha", "720",
    )  # fmt: skip
    assert lead.status == "qualified"
    assert (lead.loan_purpose, lead.timeline, lead.property_found, lead.has_agent) == (
        "purchase",
        "0_30_days",
        True,
        True,
    )
    assert (lead.preapproved, lead.first_time_buyer, lead.property_state) == (True, True, "TX")
    assert (lead.loan_type, lead.credit, lead.temperature) == ("fha", "good", "hot")
    assert "loan officer will reach out" in last_reply(lead)
    assert lead.events.filter(type="status_changed", data__to="qualified").exists()


def test_it_asks_the_next_missing_question_after_each_answer(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "refi")
    assert lead.status == "qualifying"
    assert "When are you hoping to move forward" in last_reply(lead)
    converse(client, run_tasks, lead, "2 months")
    assert "Is the property in Texas?" in last_reply(lead)


def test_it_sends_a_borrower_who_is_not_ready_to_nurture(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "just browsing, maybe next year")
    assert lead.status == "nurturing"
    assert lead.timeline == "6_plus_months"
    assert lead.temperature == "cold"
    assert "No rush" in last_reply(lead)
    assert (
        lead.events.get(data__to="nurturing").description == "The borrower plans to move 6+ months from now."
    )


def test_it_hands_off_to_a_person_when_asked(client, run_tasks, greeted_lead, handoffs):
    lead = converse(client, run_tasks, greeted_lead, "buying", "can someone just call me")
    event = lead.events.get(type="handoff")
    assert event.description == "The borrower asked for a call."
    assert handoffs == [(lead.pk, "The borrower asked for a call.")]
    assert "call you shortly" in last_reply(lead)
    converse(client, run_tasks, lead, "thanks! also its in austin")
    assert "will be in touch shortly" in last_reply(lead)  # waits for the officer, asks nothing
    assert len(handoffs) == 1


def outbound_after_greeting(lead) -> list[tuple[str, str, str]]:
    return list(
        lead.messages.filter(direction="outbound")
        .exclude(kind="first_contact")
        .order_by("created_at")
        .values_list("kind", "status", "body")
    )


def test_a_wrong_number_opts_out_with_one_text_and_a_later_inquiry_is_never_texted(
    client, run_tasks, greeted_lead
):
    lead = converse(client, run_tasks, greeted_lead, "wrong number, no Ana here")
    assert lead.status == "opted_out"
    assert lead.events.get(type="opted_out").data["words"] == "wrong number, no Ana here"
    [(kind, status, body)] = outbound_after_greeting(lead)
    assert (kind, status) == ("compliance", "sent")
    assert "no more texts" in body

    converse(client, run_tasks, lead, "ok thanks")
    with run_tasks():
        lead_services.lead_intake(
            phone=lead.phone, submitted_by="web form", sms_consent=True, consent_text="I agree"
        )
    assert Lead.objects.filter(phone=lead.phone).count() == 1
    assert len(outbound_after_greeting(lead)) == 1
    assert lead.messages.filter(kind="first_contact").count() == 1


def test_someone_who_never_filled_in_a_form_gets_the_assistants_one_closing_text_and_is_opted_out(
    client, run_tasks, greeted_lead
):
    lead = converse(client, run_tasks, greeted_lead, "I didn't fill out any form")
    assert lead.status == "opted_out"
    assert lead.events.get(type="opted_out").data["words"] == "I didn't fill out any form"
    assert outbound_after_greeting(lead) == [
        (
            "compliance",
            "sent",
            "Sorry to bother you, and thanks for letting us know! We won't text this number again.",
        )
    ]
    assert AgentTurn.objects.get(lead=lead).intent == "disqualified"
    converse(client, run_tasks, lead, "ok thanks")
    assert len(outbound_after_greeting(lead)) == 1


def test_it_answers_in_spanish_from_the_first_spanish_text(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "hola, quiero comprar una casa")
    assert lead.language == "es"
    assert "¿Cuándo piensa avanzar" in last_reply(lead)
    converse(client, run_tasks, lead, "ok, 2 months")
    assert "¿Ya encontró una casa" in last_reply(lead)


def test_it_answers_a_twilio_retry_once(client, run_tasks, greeted_lead):
    for _ in range(2):
        with run_tasks():
            text_in(client, greeted_lead.phone, "refinance", sid="SMretry00000000000000000000000001")
    assert len(agent_replies(greeted_lead)) == 2  # the first text and one reply
    assert AgentTurn.objects.count() == 1


def test_it_never_texts_twice_when_the_task_runs_twice(client, run_tasks, greeted_lead):
    text_in(client, greeted_lead.phone, "refinance")  # stored; its task not run yet
    message = Message.objects.get(direction="inbound")
    with run_tasks():
        tasks.handle_inbound(str(message.pk))
        tasks.handle_inbound(str(message.pk))
        services.conversation_continue(lead=greeted_lead, message=message)
    assert len(agent_replies(greeted_lead)) == 2


def test_it_stays_quiet_while_an_officer_has_paused_the_assistant(client, run_tasks, greeted_lead):
    lead_services.lead_set_ai_paused(lead=greeted_lead, paused=True, actor="officer")
    lead = converse(client, run_tasks, greeted_lead, "buying asap")
    assert len(agent_replies(lead)) == 1  # only the first text
    assert lead.status == "contacted"
    assert lead.loan_purpose is None
    assert not AgentTurn.objects.exists()


def test_it_greets_someone_who_texted_our_number_first(client, run_tasks):
    with run_tasks():
        text_in(client, "+15125550177", "hi, want to buy a house in dallas")
    message = Message.objects.get(direction="inbound")
    lead = message.lead
    assert lead.loan_purpose == "purchase"
    assert lead.property_state == "TX"
    assert last_reply(lead).startswith("Hi! This is the Acme Home Loans assistant")
    assert "When are you hoping to move forward" in last_reply(lead)


def test_it_takes_a_nurtured_borrower_back_into_qualification(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "buying but not for like a year")
    assert lead.status == "nurturing"
    converse(client, run_tasks, lead, "hey we're ready now, found a house")
    assert lead.status == "qualifying"
    assert lead.property_found is True
    assert "When are you hoping to move forward" in last_reply(lead)
    converse(client, run_tasks, lead, "asap")
    assert lead.timeline == "0_30_days"
    assert "real estate agent" in last_reply(lead)


def test_it_redacts_an_ssn_before_storing_it_and_warns_the_borrower(client, run_tasks, greeted_lead):
    lead = converse(client, run_tasks, greeted_lead, "buying. my ssn is 123-45-6789")
    inbound = Message.objects.get(direction="inbound")
    assert "6789" not in inbound.body
    assert inbound.redacted
    assert "please don't text ID or bank numbers" in last_reply(lead)
    assert not LeadEvent.objects.filter(description__contains="6789").exists()


def test_it_deflects_a_rate_question_and_offers_an_officer(client, run_tasks, greeted_lead, handoffs):
    lead = converse(client, run_tasks, greeted_lead, "what's your rate on a 30 year fixed?")
    assert "can't quote rates" in last_reply(lead)
    assert "%" not in last_reply(lead)
    converse(client, run_tasks, lead, "yes please")
    assert lead.events.filter(type="handoff").exists()
    assert len(handoffs) == 1


def test_it_answers_a_borrower_at_once_in_the_middle_of_the_night(client, run_tasks):
    with time_machine.travel(datetime(2025, 6, 3, 23, 30, tzinfo=ZoneInfo("America/Chicago")), tick=False):
        lead = LeadFactory(first_name="Ana", state="TX", phone="+15125550149")
        with run_tasks():
            services.first_contact_send(lead_id=lead.pk, inquiry_id=1)
        converse(client, run_tasks, lead, "refi")
    [reply] = lead.messages.filter(kind="reply")
    assert reply.status == "sent"
    assert "When are you hoping to move forward" in reply.body
