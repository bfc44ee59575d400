"""What the outbox does when Twilio is slow or asks us to wait: a timeout after the request
went out leaves the text `unknown` with a timeline entry that says so (never re-sent), a 429
is retried when Twilio's Retry-After says, to the second, by a one-off schedule."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django_q.models import Schedule

from conversations import services, tasks
from conversations.models import Kind, Message, MessageStatus, Sender
from tests import stack
from tests.factories import MessageFactory, TextingLeadFactory

pytestmark = pytest.mark.django_db

NOON = datetime(2025, 6, 3, 17, 0, tzinfo=UTC)


def test_a_timeout_after_the_request_went_out_is_unknown_and_says_so_on_the_timeline(fake_twilio, settings):
    settings.SMS_FIRST_ATTEMPT_TIMEOUT_SECONDS = 0.3
    lead = TextingLeadFactory()
    reply = services.send_sms(lead=lead, body="An officer will call.", kind=Kind.REPLY, sender=Sender.AGENT)
    twilio_answers = threading.Event()
    fake_twilio.hold_next(twilio_answers)
    try:
        assert tasks.deliver_message(str(reply.message.pk)) == MessageStatus.UNKNOWN
    finally:
        twilio_answers.set()

    [event] = lead.events.filter(type="sms_unknown")
    assert "Twilio did not answer within 0.3 s" in event.description
    assert "may have gone out" in event.description and "not sent again" in event.description
    assert tasks.deliver_message(str(reply.message.pk)) == "skipped"
    assert len(fake_twilio.messages_created) == 1


def test_a_text_left_mid_send_by_a_dead_worker_says_so_on_the_timeline(run_tasks):
    stuck = MessageFactory(status=MessageStatus.SENDING, sending_started_at=NOON - timedelta(minutes=6))

    with time_machine.travel(NOON, tick=False), run_tasks():
        services.outbox_sweep()

    [event] = stuck.lead.events.filter(type="sms_unknown")
    assert event.description.startswith("The worker stopped while handing the text to Twilio")
    assert Message.objects.get(pk=stuck.pk).get_status_display() == "Unknown (may have gone out: review)"


@pytest.fixture
def throttling_twilio(settings):
    settings.SMS_BACKEND = "twilio"
    with stack.fake_twilio() as fake:
        settings.TWILIO_API_BASE_URL = fake.base_url
        yield fake


def test_a_429_is_retried_at_twilios_retry_after_by_a_one_off_schedule(throttling_twilio, run_tasks):
    lead = TextingLeadFactory()
    throttling_twilio.fail_next(lead.phone, status=429, code=20429, retry_after="7")
    with time_machine.travel(NOON, tick=False):
        reply = services.send_sms(lead=lead, body="Hello!", kind=Kind.REPLY, sender=Sender.AGENT).message

        with run_tasks():
            assert tasks.deliver_message(str(reply.pk)) == MessageStatus.QUEUED

    reply.refresh_from_db()
    assert reply.retry_at == NOON + timedelta(seconds=7)
    [timer] = Schedule.objects.filter(func="conversations.tasks.deliver_message", schedule_type=Schedule.ONCE)
    assert (timer.next_run, timer.args, timer.cluster) == (
        NOON + timedelta(seconds=7),
        repr((str(reply.pk),)),
        None,
    )


def test_without_retry_after_the_backoff_is_exponential(throttling_twilio, settings):
    lead = TextingLeadFactory()
    throttling_twilio.fail_next(lead.phone, status=503, code=20503)
    with time_machine.travel(NOON, tick=False):
        reply = services.send_sms(lead=lead, body="Hello!", kind=Kind.REPLY, sender=Sender.AGENT).message
        tasks.deliver_message(str(reply.pk))

    reply.refresh_from_db()
    assert reply.retry_at == NOON + timedelta(seconds=settings.SMS_RETRY_BASE_SECONDS)
