"""Nothing a borrower writes goes unseen: alerts batched per thread, reminders, ops, the dashboard."""

from datetime import timedelta

import pytest
from django.core import mail

from conversations import services as conversation_services
from conversations.models import Kind, Message
from routing import alerts
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def claimed(make_officer):
    jane = make_officer(name="Jane Ramirez", mobile_phone="+17375550100", email="jane@lender.example.com")
    maria = LeadFactory(
        first_name="Maria", last_name="Lopez", status="claimed", assigned_officer=jane, ai_paused=True
    )
    return jane, maria


def borrower_texts(lead, body, run_tasks, sid):
    with run_tasks():
        conversation_services.inbound_receive(
            from_number=lead.phone, to_number="+15125550000", body=body, provider_sid=sid
        )


def alerts_to(officer) -> list[Message]:
    return list(
        Message.objects.filter(kind=Kind.SYSTEM, to_number=officer.mobile_phone).order_by("created_at")
    )


def test_a_reply_on_a_claimed_lead_texts_its_officer(clock, claimed, run_tasks):
    jane, maria = claimed
    borrower_texts(maria, "What documents do I need?", run_tasks, "SM1")
    [alert] = alerts_to(jane)
    assert alert.body.startswith(
        'Maria L. texted: "What documents do I need?" Reply: https://sms.example.com/officer/leads/'
    )
    assert alert.status == "sent"  # through send_sms and the outbox like every text
    assert mail.outbox == []  # an officer with a mobile gets texts unless they choose e-mail


def test_alerts_on_one_thread_are_batched(clock, claimed, run_tasks, settings):
    jane, maria = claimed
    borrower_texts(maria, "Hi", run_tasks, "SM1")
    clock.shift(timedelta(seconds=30))
    borrower_texts(maria, "Also, is FHA ok with a 620 score?", run_tasks, "SM2")
    clock.shift(timedelta(seconds=30))
    borrower_texts(maria, "Thanks!", run_tasks, "SM3")
    assert len(alerts_to(jane)) == 1

    clock.shift(timedelta(minutes=settings.ALERT_BATCH_MINUTES))
    with run_tasks():
        alerts.watch_sweep()
        alerts.watch_sweep()  # a sweep that runs twice sends once
    _, second = alerts_to(jane)
    assert second.body.startswith('Maria L. texted (2 new): "Thanks!"')


def test_an_officer_who_chose_email_gets_email(clock, claimed, run_tasks):
    jane, maria = claimed
    jane.alert_by_sms, jane.alert_by_email = False, True
    jane.save()
    borrower_texts(maria, "Can we talk tomorrow?", run_tasks, "SM1")
    assert alerts_to(jane) == []
    [email] = mail.outbox
    assert email.to == ["jane@lender.example.com"] and "> Can we talk tomorrow?" in email.body


def test_a_borrower_asking_for_a_call_gets_a_call_prompt(clock, claimed, run_tasks):
    jane, maria = claimed
    borrower_texts(maria, "Can you call me? I'm free now", run_tasks, "SM1")
    [alert] = alerts_to(jane)
    assert (
        alert.body.startswith("Maria L. asks for a call. Tap to call from your page:")
        and "#call" in alert.body
    )


def test_an_unanswered_borrower_reminds_the_officer_then_tells_ops(clock, claimed, run_tasks, settings):
    jane, maria = claimed
    settings.ROUTING_OPS_EMAILS = ["ops@lender.example.com"]
    borrower_texts(maria, "Hello?", run_tasks, "SM1")
    clock.shift(timedelta(minutes=settings.OFFICER_REMIND_MINUTES))
    with run_tasks():
        assert alerts.watch_sweep()["reminded"] == 1
    assert alerts_to(jane)[-1].body.startswith("Reminder: Maria L. has waited 15 min for your answer.")
    clock.shift(timedelta(minutes=settings.OFFICER_ESCALATE_MINUTES - settings.OFFICER_REMIND_MINUTES))
    with run_tasks():
        assert alerts.watch_sweep()["escalated"] == 1
        assert alerts.watch_sweep()["escalated"] == 0
    [email] = mail.outbox
    assert email.subject == "Maria L. unanswered for 60 min (Jane Ramirez)"


def test_answering_stops_the_reminders(clock, claimed, run_tasks, settings):
    from routing.services import officer_reply

    jane, maria = claimed
    borrower_texts(maria, "Hello?", run_tasks, "SM1")
    with run_tasks():
        officer_reply(officer=jane, lead=maria, body="Hi Maria, Jane here.")
    clock.shift(timedelta(minutes=settings.OFFICER_ESCALATE_MINUTES + 1))
    with run_tasks():
        assert alerts.watch_sweep() == {"alerted": 0, "reminded": 0, "escalated": 0}


def test_the_dashboard_lists_unread_threads_first_with_the_wait(
    clock, claimed, client, make_officer, run_tasks
):
    jane, maria = claimed
    quiet = LeadFactory(first_name="Quinn", status="claimed", assigned_officer=jane)
    quiet.save()  # the most recently updated, yet below Maria
    borrower_texts(maria, "Hello?", run_tasks, "SM1")
    clock.shift(timedelta(minutes=12))
    client.force_login(jane.user)
    page = client.get("/officer/").content.decode()
    assert page.index("Maria") < page.index("Quinn")
    assert "waiting 12\xa0minutes" in page

    client.get(f"/officer/leads/{maria.pk}/")  # read, not yet answered
    page = client.get("/officer/?partial=leads").content.decode()
    assert 'class="unread"' not in page and "waiting 12" in page
