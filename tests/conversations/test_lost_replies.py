"""On a broker that loses tasks (Redis acknowledges nothing), the assistant's reply to a text
already handled is not lost: the text is marked as handed to the assistant, and the sweeper
queues its turn again. Likewise a repeat inquiry whose greeting task was lost."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conversations import services, tasks
from conversations.models import AgentTurn, Direction, Kind, Message
from leads import services as lead_services
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 6, 3, 17, 0, tzinfo=UTC)  # 12:00 in Texas
PHONE = "+15125550100"


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def handled_but_unanswered(body: str = "we want to buy this spring") -> Message:
    """The borrower's text, handled by a worker whose follow-up (the assistant's turn) was lost."""
    with at(NOON):
        message, _ = services.inbound_receive(
            from_number=PHONE, to_number="+15125559999", body=body, provider_sid="SM" + "a" * 32
        )
        services.inbound_handle(message_id=message.pk)  # its on-commit tasks never run
    return message


def replies(lead) -> list[Message]:
    return list(Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, kind=Kind.REPLY))


def test_the_sweeper_answers_a_text_whose_reply_task_was_lost(run_tasks):
    lead = LeadFactory(phone=PHONE, status="contacted")
    message = handled_but_unanswered()
    assert replies(lead) == []

    with at(NOON + timedelta(seconds=30)), run_tasks():
        too_soon = tasks.sweep_outbox()
    with at(NOON + timedelta(minutes=2)), run_tasks():
        recovered = tasks.sweep_outbox()
    with at(NOON + timedelta(minutes=3)), run_tasks():
        again = tasks.sweep_outbox()

    assert (too_soon["replies_requeued"], recovered["replies_requeued"], again["replies_requeued"]) == (
        0,
        1,
        0,
    )
    [reply] = replies(lead)
    assert AgentTurn.objects.get(message=message).reply_message == reply


def test_the_sweeper_leaves_a_text_the_assistant_must_not_answer(run_tasks):
    lead = LeadFactory(phone=PHONE, status="claimed", ai_paused=True)  # an officer is talking
    handled_but_unanswered()

    with at(NOON + timedelta(minutes=2)), run_tasks():
        assert tasks.sweep_outbox()["replies_requeued"] == 0
    assert replies(lead) == []


def test_a_turn_interrupted_mid_way_is_tried_again_but_not_forever(run_tasks):
    lead = LeadFactory(phone=PHONE, status="contacted")
    message = handled_but_unanswered()
    with at(NOON):
        AgentTurn.objects.create(lead=lead, message=message, backend="scripted")  # its worker was killed

    with at(NOON + timedelta(minutes=10)), run_tasks():
        assert tasks.sweep_outbox()["replies_requeued"] == 0  # past the redeliveries a broker would make
    with at(NOON + timedelta(minutes=2)), run_tasks():
        assert tasks.sweep_outbox()["replies_requeued"] == 1
    assert len(replies(lead)) == 1


def test_the_sweeper_greets_a_repeat_inquiry_whose_greeting_task_was_lost(run_tasks):
    day = timedelta(days=2)
    with at(NOON - day), run_tasks():
        lead = lead_services.lead_intake(
            phone=PHONE,
            submitted_by="web form",
            contact={"first_name": "Ana"},
            sms_consent=True,
            consent_text="ok",
        ).lead
    with at(NOON):  # two days later she asks again; the task is lost
        lead_services.lead_intake(phone=PHONE, submitted_by="web form", sms_consent=True, consent_text="ok")

    with at(NOON + timedelta(minutes=2)), run_tasks():
        assert tasks.sweep_outbox()["first_contacts_requeued"] == 1
    with at(NOON + timedelta(minutes=3)), run_tasks():
        assert tasks.sweep_outbox()["first_contacts_requeued"] == 0

    greetings = Message.objects.filter(lead=lead, kind=Kind.FIRST_CONTACT).order_by("created_at")
    assert [g.body.startswith("Hi Ana") for g in greetings] == [True, True]


def test_a_greeting_refused_for_the_do_not_contact_list_is_not_tried_every_minute(run_tasks):
    with at(NOON), run_tasks():
        lead_services.dnc_add(phone=PHONE, reason="asked by phone", source="ops", actor="ops")
        lead = lead_services.lead_intake(
            phone=PHONE, submitted_by="web form", sms_consent=True, consent_text="ok"
        ).lead

    with at(NOON + timedelta(minutes=2)), run_tasks():
        assert tasks.sweep_outbox()["first_contacts_requeued"] == 0
    assert lead.events.filter(type="sms_blocked").count() == 1
