"""The outbox protocol (docs/architecture.md, "The one way a text goes out"): at most once, never a double text."""

import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule

from conversations import services, tasks
from conversations.models import Kind, Message, MessageStatus, Sender
from leads import services as lead_services
from tests.factories import LeadFactory, MessageFactory, TextingLeadFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 6, 3, 17, 0, tzinfo=UTC)
STATUS_PATH = "/webhooks/twilio/status/"
CENTRAL = ZoneInfo("America/Chicago")  # Texas
EASTERN = ZoneInfo("America/New_York")  # Florida


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def queue_reply(lead, body="Thanks, an officer will call you today."):
    """A reply to a borrower who just texted (so it goes at any hour), committed as `queued`
    and whose send task has not run yet."""
    lead_services.lead_record_inbound(lead_id=lead.pk, at=timezone.now())
    return services.send_sms(lead=lead, body=body, kind=Kind.REPLY, sender=Sender.AGENT).message


def test_a_second_delivery_of_the_same_text_is_a_no_op(fake_twilio):
    message = queue_reply(LeadFactory())

    assert tasks.deliver_message(str(message.pk)) == MessageStatus.SENT
    assert tasks.deliver_message(str(message.pk)) == "skipped"

    message.refresh_from_db()
    assert message.attempts == 1
    assert len(fake_twilio.messages_created) == 1


def test_it_skips_a_text_another_worker_is_sending(fake_twilio):
    message = queue_reply(LeadFactory())
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)

    assert tasks.deliver_message(str(message.pk)) == "skipped"
    assert fake_twilio.messages_created == []


def test_it_marks_a_text_stuck_mid_send_unknown_and_never_resends_it(fake_twilio, run_tasks, clock):
    stuck = MessageFactory(
        status=MessageStatus.SENDING, sending_started_at=NOON - timedelta(minutes=6), attempts=1
    )
    recent = MessageFactory(status=MessageStatus.SENDING, sending_started_at=NOON - timedelta(minutes=1))

    with run_tasks():
        assert services.outbox_sweep() == {"unknown": 1, "requeued": 0}
    clock.shift(timedelta(hours=2))
    with run_tasks():
        services.outbox_sweep()
    tasks.deliver_message(str(stuck.pk))

    stuck.refresh_from_db()
    assert stuck.status == MessageStatus.UNKNOWN
    assert stuck.attempts == 1
    assert "not retried" in stuck.error_message
    assert fake_twilio.messages_created == []
    recent.refresh_from_db()
    assert recent.status == MessageStatus.UNKNOWN  # it was stuck too by the second sweep


def test_it_leaves_a_text_being_sent_right_now_alone(clock):
    message = MessageFactory(status=MessageStatus.SENDING, sending_started_at=NOON - timedelta(minutes=1))

    services.outbox_sweep()

    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING


def test_the_sweeper_sends_a_queued_text_whose_task_was_lost(fake_twilio, run_tasks, clock):
    lost = MessageFactory(status=MessageStatus.QUEUED, created_at=NOON - timedelta(minutes=5))
    just_queued = MessageFactory(status=MessageStatus.QUEUED, created_at=NOON - timedelta(seconds=10))

    with run_tasks():
        result = services.outbox_sweep()

    assert result == {"unknown": 0, "requeued": 1}
    lost.refresh_from_db()
    just_queued.refresh_from_db()
    assert lost.status == MessageStatus.SENT
    assert just_queued.status == MessageStatus.QUEUED  # its own task is still on its way
    assert [r.form["To"] for r in fake_twilio.messages_created] == [lost.to_number]


def test_the_sweeper_run_twice_still_sends_once(fake_twilio, run_tasks, clock):
    MessageFactory(status=MessageStatus.QUEUED, created_at=NOON - timedelta(minutes=5))

    with run_tasks():
        services.outbox_sweep()
        services.outbox_sweep()

    assert len(fake_twilio.messages_created) == 1


def test_it_does_not_send_a_queued_text_after_the_borrower_opted_out(fake_twilio, run_tasks):
    lead = LeadFactory()
    message = queue_reply(lead)
    lead_services.lead_opt_out(lead=lead, words="STOP")

    with run_tasks():
        tasks.deliver_message(str(message.pk))

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "opted_out"
    assert fake_twilio.messages_created == []


def test_it_does_not_send_a_queued_text_after_the_lead_became_do_not_contact(fake_twilio):
    lead = LeadFactory()
    message = queue_reply(lead)
    lead_services.lead_mark_do_not_contact(lead=lead, actor="crm")

    tasks.deliver_message(str(message.pk))

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert fake_twilio.messages_created == []


# --- Status callbacks ---------------------------------------------------------------------


def callback(twilio_post, message, status, **extra):
    params = {"MessageSid": message.provider_sid, "MessageStatus": status, "AccountSid": "AC1", **extra}
    return twilio_post(STATUS_PATH, params)


@pytest.mark.parametrize("status", ["delivered", "undelivered", "failed"])
def test_a_status_callback_moves_a_sent_text_on(twilio_post, status):
    message = MessageFactory(status=MessageStatus.SENT, provider_sid="SM" + "1" * 32)

    response = callback(twilio_post, message, status, ErrorCode="30003" if status != "delivered" else "")

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == status
    if status == "delivered":
        assert message.delivered_at is not None
    else:
        assert message.error_code == "30003"


def test_a_status_callback_that_arrives_twice_changes_the_text_once(twilio_post):
    message = MessageFactory(status=MessageStatus.SENT, provider_sid="SM" + "2" * 32)

    with time_machine.travel(NOON, tick=False):
        callback(twilio_post, message, "delivered")
    with time_machine.travel(NOON + timedelta(minutes=3), tick=False):
        second = callback(twilio_post, message, "delivered")

    assert second.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert message.delivered_at == NOON


def test_a_late_callback_does_not_move_a_text_back(twilio_post):
    message = MessageFactory(status=MessageStatus.SENT, provider_sid="SM" + "3" * 32)

    for status in ["delivered", "sent", "sending", "queued", "undelivered"]:
        assert callback(twilio_post, message, status).status_code == 204

    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_a_callback_for_a_text_we_do_not_know_is_accepted_and_ignored(twilio_post):
    message = MessageFactory(status=MessageStatus.SENT, provider_sid="SM" + "4" * 32)

    response = twilio_post(STATUS_PATH, {"MessageSid": "SM" + "9" * 32, "MessageStatus": "delivered"})

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_an_undelivered_callback_with_21610_opts_the_borrower_out(twilio_post):
    message = MessageFactory(status=MessageStatus.SENT, provider_sid="SM" + "5" * 32)

    callback(twilio_post, message, "undelivered", ErrorCode="21610")
    callback(twilio_post, message, "undelivered", ErrorCode="21610")

    message.lead.refresh_from_db()
    assert message.lead.status == "opted_out"
    assert message.lead.events.filter(type="opted_out").count() == 1


def test_the_sweeper_is_scheduled_every_minute_by_a_migration():
    schedule = Schedule.objects.get(func="conversations.tasks.sweep_outbox")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 1, -1)


# --- The contact window still holds when a scheduled text is late ------------------------


def test_a_nurture_text_retried_after_the_window_closed_waits_for_the_morning(fake_twilio, run_tasks):
    lead = LeadFactory(state="FL")  # 08:00-20:00; its Texas area code's rule opens at 09:00
    evening = datetime(2025, 6, 3, 19, 59, 50, tzinfo=EASTERN)
    fake_twilio.fail_next(status=500, code=20500)
    with time_machine.travel(evening, tick=False), run_tasks():
        services.send_sms(lead=lead, body="Rates dipped.", kind=Kind.NURTURE, sender=Sender.NURTURE)

    with time_machine.travel(evening + timedelta(minutes=1), tick=False), run_tasks():
        services.outbox_sweep()
    held = Message.objects.get()
    assert held.status == MessageStatus.QUEUED
    assert held.retry_at == datetime(2025, 6, 4, 9, 0, tzinfo=EASTERN)
    assert len(fake_twilio.messages_created) == 1

    with time_machine.travel(held.retry_at, tick=False), run_tasks():
        services.outbox_sweep()
    held.refresh_from_db()
    assert held.status == MessageStatus.SENT
    assert held.attempts == 2
    assert len(fake_twilio.messages_created) == 2


def test_a_lost_nurture_text_found_at_night_waits_for_the_morning(fake_twilio, run_tasks):
    lead = LeadFactory(state="TX")
    night = datetime(2025, 6, 3, 23, 0, tzinfo=CENTRAL)
    MessageFactory(
        lead=lead, kind=Kind.NURTURE, status=MessageStatus.QUEUED, created_at=night - timedelta(hours=3)
    )

    with time_machine.travel(night, tick=False), run_tasks():
        services.outbox_sweep()

    held = Message.objects.get()
    assert held.status == MessageStatus.QUEUED
    assert held.retry_at == datetime(2025, 6, 4, 9, 0, tzinfo=CENTRAL)  # Texas opens at nine
    assert fake_twilio.messages_created == []


def test_a_late_reply_to_a_borrower_who_is_texting_still_goes_out_at_night(fake_twilio, run_tasks):
    night = datetime(2025, 6, 3, 23, 0, tzinfo=CENTRAL)
    lead = LeadFactory(state="TX", last_inbound_at=night - timedelta(minutes=6))
    MessageFactory(
        lead=lead, kind=Kind.REPLY, status=MessageStatus.QUEUED, created_at=night - timedelta(minutes=5)
    )

    with time_machine.travel(night, tick=False), run_tasks():
        services.outbox_sweep()

    assert Message.objects.get().status == MessageStatus.SENT


@pytest.mark.django_db(transaction=True)
def test_two_workers_delivering_the_same_text_at_once_send_it_once(fake_twilio):
    """A real race: two threads, two database connections, one conditional update wins."""
    # No on_commit here: its task never ran.
    message = MessageFactory(lead=TextingLeadFactory(), status=MessageStatus.QUEUED)
    start = threading.Barrier(2)
    outcomes = []

    def worker():
        start.wait()
        try:
            outcomes.append(tasks.deliver_message(str(message.pk)))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["sent", "skipped"]
    assert len(fake_twilio.messages_created) == 1
