"""The first text after an inquiry, and no second one for a repeat inquiry within a day."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from conversations import tasks
from conversations.models import Kind, Message, MessageStatus
from leads.models import Lead

pytestmark = pytest.mark.django_db

MIDNIGHT = datetime(2025, 6, 3, 5, 0, tzinfo=UTC)  # 00:00 in Texas: the greeting goes anyway


def post_inquiry(api, run_tasks, when, *, phone="(512) 555-0100", consent=True, **fields):
    body = {"first_name": "Ana", "phone": phone, "state": "TX", "sms_consent": consent, **fields}
    if consent:
        body["consent_text"] = "I agree to receive texts from Acme Home Loans."
    with time_machine.travel(when, tick=False), run_tasks():
        response = api.post("/api/v1/leads/", body, format="json")
    assert response.status_code in (200, 201), response.json()
    return response


def greetings():
    return list(Message.objects.filter(kind=Kind.FIRST_CONTACT).order_by("created_at"))


def test_it_greets_a_new_lead_at_once_at_any_hour(api, run_tasks):
    response = post_inquiry(api, run_tasks, MIDNIGHT, loan_purpose="purchase")

    assert response.status_code == 201
    [greeting] = greetings()
    assert greeting.status == MessageStatus.SENT
    assert greeting.created_at == MIDNIGHT
    assert greeting.body.startswith("Hi Ana, it's Acme Home Loans (NMLS #")
    assert "home purchase" in greeting.body
    # The carriers' first-text disclosures, then the question, asked last.
    assert (
        "Msg frequency varies; msg & data rates may apply. Reply HELP for help, STOP to opt out."
        in greeting.body
    )
    lead = Lead.objects.get()
    assert lead.status == "contacted"
    assert lead.first_contact_at == MIDNIGHT


def test_a_repeat_inquiry_within_a_day_is_appended_and_not_texted(api, run_tasks):
    first = post_inquiry(api, run_tasks, MIDNIGHT)
    again = post_inquiry(api, run_tasks, MIDNIGHT + timedelta(hours=23), phone="512-555-0100")

    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    lead = Lead.objects.get()
    assert lead.inquiries.count() == 2
    assert len(greetings()) == 1
    assert lead.events.filter(type="first_contact_skipped").count() == 1


def test_a_repeat_inquiry_after_a_day_is_greeted_again(api, run_tasks):
    post_inquiry(api, run_tasks, MIDNIGHT)
    post_inquiry(api, run_tasks, MIDNIGHT + timedelta(hours=25))

    _, second = greetings()
    assert second.created_at == MIDNIGHT + timedelta(hours=25)
    assert "here again" in second.body


def test_a_borrower_in_conversation_is_not_greeted_again(api, run_tasks):
    post_inquiry(api, run_tasks, MIDNIGHT)
    Lead.objects.update(status="qualifying")

    post_inquiry(api, run_tasks, MIDNIGHT + timedelta(days=3))

    assert len(greetings()) == 1


def test_a_lead_without_consent_is_stored_and_never_texted(api, run_tasks):
    post_inquiry(api, run_tasks, MIDNIGHT, consent=False)

    lead = Lead.objects.get()
    assert greetings() == []
    assert lead.events.filter(type="not_contacted", data__reason="no_consent").exists()


def test_consent_given_on_a_second_inquiry_brings_the_first_greeting(api, run_tasks):
    post_inquiry(api, run_tasks, MIDNIGHT, consent=False)
    post_inquiry(api, run_tasks, MIDNIGHT + timedelta(hours=1))

    [greeting] = greetings()
    assert greeting.body.startswith("Hi Ana, it's Acme Home Loans (NMLS #")  # a first hello, not "again"


def test_the_first_contact_task_run_twice_texts_once(api, run_tasks):
    post_inquiry(api, run_tasks, MIDNIGHT)
    lead = Lead.objects.get()

    with time_machine.travel(MIDNIGHT + timedelta(minutes=1), tick=False), run_tasks():
        tasks.send_first_contact(str(lead.pk), lead.inquiries.get().pk)

    assert len(greetings()) == 1
    assert not lead.events.filter(type="first_contact_skipped").exists()


def test_a_rerun_task_finishes_what_a_crashed_run_left_undone(api, run_tasks):
    post_inquiry(api, run_tasks, MIDNIGHT)
    Lead.objects.update(status="new")  # the first run died after queueing, before this
    lead = Lead.objects.get()

    with time_machine.travel(MIDNIGHT + timedelta(minutes=1), tick=False), run_tasks():
        tasks.send_first_contact(str(lead.pk), lead.inquiries.get().pk)

    lead.refresh_from_db()
    assert lead.status == "contacted"
    assert len(greetings()) == 1
