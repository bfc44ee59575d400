"""A stored opt-out stops every text not yet handed to the carrier, at once (README,
"Opt-out and help"): from the moment the webhook answers Twilio, not after a queued task."""

import itertools
import threading
import time
from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from twilio.request_validator import RequestValidator

from conversations import services, tasks
from conversations.models import Direction, Kind, Message, MessageStatus, Sender
from leads import services as lead_services
from tests.conversations.conftest import TWILIO_AUTH_TOKEN
from tests.factories import LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db

SMS_PATH = "/webhooks/twilio/sms/"
PHONE = "+15125550100"
NOON_IN_TEXAS = datetime(2025, 6, 3, 12, 0, tzinfo=ZoneInfo("America/Chicago"))
_sids = itertools.count(1)


def borrower_params(body: str) -> dict:
    return {"MessageSid": f"SMfeed{next(_sids):028x}", "From": PHONE, "To": "+15125559999", "Body": body}


def queued(lead, *, kind=Kind.NURTURE, body="Rates dipped today.", sender=Sender.NURTURE) -> Message:
    """A text committed as `queued` whose delivery task is still in the queue."""
    with time_machine.travel(NOON_IN_TEXAS, tick=False):
        result = services.send_sms(lead=lead, body=body, kind=kind, sender=sender)
    assert result.queued
    return result.message


def deliver_now(message: Message) -> str:
    """The worker reaches the text's task at last, inside the borrower's window."""
    with time_machine.travel(NOON_IN_TEXAS, tick=False):
        return tasks.deliver_message(str(message.pk))


@pytest.mark.parametrize("words", ["STOP", "please stop texting me", "Wrong number", "no more texts pls"])
def test_a_text_queued_before_the_stop_is_never_sent_once_the_webhook_answered(
    twilio_post, fake_twilio, words
):
    lead = LeadFactory(phone=PHONE, status="nurturing")
    nudge = queued(lead)

    response = twilio_post(SMS_PATH, borrower_params(words))  # no task has run yet

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status == "opted_out"
    assert deliver_now(nudge) == MessageStatus.FAILED
    nudge.refresh_from_db()
    assert nudge.error_code == "opted_out"
    assert fake_twilio.messages_created == []


def test_a_yes_to_should_we_stop_is_applied_by_the_webhook_too(twilio_post, fake_twilio, run_tasks):
    """'Not interested' is asked about once; the borrower's YES is their opt-out, in their words:
    it stops the texts already queued from the moment the webhook answers, as STOP does."""
    lead = LeadFactory(phone=PHONE, status="nurturing")
    with run_tasks():
        twilio_post(SMS_PATH, borrower_params("not interested"))
    assert lead.events.filter(type="opt_out_asked").exists()
    nudge = queued(lead)

    response = twilio_post(SMS_PATH, borrower_params("Yes"))  # no task has run yet

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status == "opted_out"
    assert lead.events.get(type="opted_out").data["words"] == "not interested / asked whether to stop: Yes"
    assert deliver_now(nudge) == MessageStatus.FAILED
    assert [r.form["Body"] for r in fake_twilio.messages_created if "Rates" in r.form["Body"]] == []


def test_the_confirmation_is_queued_by_the_webhook_and_is_the_only_text_that_goes(twilio_post, fake_twilio):
    lead = LeadFactory(phone=PHONE, status="nurturing")
    nudge = queued(lead)

    twilio_post(SMS_PATH, borrower_params("stop"))
    [confirmation] = Message.objects.filter(lead=lead, kind=Kind.COMPLIANCE, direction=Direction.OUTBOUND)
    deliver_now(nudge)
    deliver_now(confirmation)

    assert [r.form["Body"] for r in fake_twilio.messages_created] == [confirmation.body]
    assert "unsubscribed" in confirmation.body


def test_a_help_answer_still_queued_when_the_borrower_texts_stop_is_not_sent(twilio_post, fake_twilio):
    lead = LeadFactory(phone=PHONE, status="contacted")
    help_answer = queued(lead, kind=Kind.COMPLIANCE, body="Acme Home Loans, NMLS 123456. Reply STOP.")

    twilio_post(SMS_PATH, borrower_params("STOP"))

    assert deliver_now(help_answer) == MessageStatus.FAILED
    assert [r.form["Body"] for r in fake_twilio.messages_created] == []


def test_a_twilio_retry_of_a_handled_stop_changes_nothing(twilio_post):
    lead = LeadFactory(phone=PHONE, status="contacted")
    params = borrower_params("STOP")

    twilio_post(SMS_PATH, params)
    twilio_post(SMS_PATH, params)

    assert lead.events.filter(type="opted_out").count() == 1
    assert Message.objects.filter(lead=lead, kind=Kind.COMPLIANCE).count() == 1
    assert Message.objects.filter(lead=lead, direction=Direction.INBOUND).count() == 1


def test_do_not_contact_set_while_a_text_waits_stops_it(fake_twilio):
    lead = LeadFactory(phone=PHONE, status="nurturing")
    nudge = queued(lead)

    lead_services.lead_mark_do_not_contact(lead=lead, actor="api:crm")

    assert deliver_now(nudge) == MessageStatus.FAILED
    assert fake_twilio.messages_created == []


def signed_stop() -> tuple[str, dict]:
    params = borrower_params("STOP")
    url = settings.PUBLIC_BASE_URL + SMS_PATH
    return urlencode(params), {
        "X-Twilio-Signature": RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url, params)
    }


def sessions_waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def wait_until(condition, *, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)  # polling a condition another thread brings about, not waiting for time
    return condition()


ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.django_db(transaction=True)
def test_a_stop_arriving_while_a_text_is_in_twilios_hands_is_stored_only_after_it(fake_twilio):
    """A real race: the worker is inside the gateway call when the STOP comes in. On PostgreSQL
    the STOP waits for the hand-over to finish, so no text reaches the carrier after it is
    stored. SQLite (development only) has no row locks: there the STOP is stored at once and
    the text already in Twilio's hands is the last one (README, "Opt-out and help")."""
    lead = LeadFactory(phone=PHONE, status="nurturing")
    # No on_commit here: its task has not run (the first text goes at any hour).
    greeting = MessageFactory(lead=lead, kind=Kind.FIRST_CONTACT, status=MessageStatus.QUEUED)
    release = threading.Event()
    fake_twilio.hold_next(release)
    outcome = {}

    def worker():
        try:
            outcome["delivery"] = tasks.deliver_message(str(greeting.pk))
        finally:
            connection.close()

    def twilio_posts_stop():
        body, headers = signed_stop()
        try:
            outcome["stop"] = (
                Client()
                .post(SMS_PATH, body, content_type="application/x-www-form-urlencoded", headers=headers)
                .status_code
            )
            outcome["stop_answered_with_text_pending"] = not release.is_set()
        finally:
            connection.close()

    sending = threading.Thread(target=worker)
    sending.start()
    assert wait_until(lambda: len(fake_twilio.messages_created) == 1)
    stopping = threading.Thread(target=twilio_posts_stop)
    stopping.start()
    if ON_POSTGRESQL:
        assert wait_until(lambda: sessions_waiting_on_a_lock() == 1), "the STOP did not wait for the send"
    else:
        stopping.join(timeout=30)
    release.set()
    sending.join(timeout=30)
    stopping.join(timeout=30)

    assert outcome == {"delivery": "sent", "stop": 200, "stop_answered_with_text_pending": not ON_POSTGRESQL}
    lead.refresh_from_db()
    assert lead.status == "opted_out"
