"""The twilio gateway, driven through send_sms and the outbox task, with the real twilio SDK
talking to a local fake of Twilio's REST API."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from conversations import services
from conversations.models import Kind, Message, MessageStatus, Sender
from leads import services as lead_services
from leads.models import LeadEvent
from tests.factories import LeadFactory
from tests.fakes.twilio_server import refused_base_url

pytestmark = pytest.mark.django_db

ACCOUNT_SID = "AC" + "0" * 32
MESSAGING_SERVICE_SID = "MG" + "0" * 32
NOON = datetime(2025, 6, 3, 17, 0, tzinfo=UTC)  # noon in Texas


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def send_reply(run_tasks, lead, body="Happy to help with that."):
    """Answer a borrower who just texted: the reply goes at once, at any hour."""
    lead_services.lead_record_inbound(lead_id=lead.pk, at=timezone.now())
    with run_tasks():
        result = services.send_sms(lead=lead, body=body, kind=Kind.REPLY, sender=Sender.AGENT)
    return Message.objects.get(pk=result.message.pk)


def sweep_at(run_tasks, moment) -> None:
    """Let the clock reach `moment`, then run the outbox sweeper and what it queues."""
    with time_machine.travel(moment, tick=False), run_tasks():
        services.outbox_sweep()


def test_it_sends_to_body_and_status_callback_through_the_messaging_service(fake_twilio, run_tasks):
    lead = LeadFactory(phone="+15125550123")

    message = send_reply(run_tasks, lead, "Great, when would you like to close?")

    [request] = fake_twilio.messages_created
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request.form == {
        "To": "+15125550123",
        "Body": "Great, when would you like to close?",
        "MessagingServiceSid": MESSAGING_SERVICE_SID,
        "StatusCallback": "https://sms.example.com/webhooks/twilio/status/",
    }
    assert request.auth == (ACCOUNT_SID, "test-auth-token")
    assert message.status == MessageStatus.SENT
    assert message.provider_sid.startswith("SM")
    assert message.attempts == 1


def test_it_goes_through_the_proxy_the_environment_names(fake_twilio, run_tasks, settings, monkeypatch):
    # A host no resolver knows: only the proxy (the fake, which answers absolute-form requests
    # as a proxy does) can carry the request.
    settings.TWILIO_API_BASE_URL = "http://api.twilio.invalid"
    monkeypatch.setenv("HTTP_PROXY", fake_twilio.base_url)
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)

    message = send_reply(run_tasks, LeadFactory(phone="+15125550124"))

    assert message.status == MessageStatus.SENT
    assert [request.form["To"] for request in fake_twilio.messages_created] == ["+15125550124"]


def test_it_bypasses_the_proxy_for_hosts_in_no_proxy(
    fake_twilio, unreachable_twilio_proxy, run_tasks, settings, monkeypatch
):
    monkeypatch.setenv("HTTP_PROXY", unreachable_twilio_proxy)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)

    message = send_reply(run_tasks, LeadFactory(phone="+15125550125"))

    assert message.status == MessageStatus.SENT
    assert len(fake_twilio.messages_created) == 1


@pytest.fixture
def unreachable_twilio_proxy():
    url, holder = refused_base_url()
    yield url
    holder.close()


def test_it_sends_from_the_number_when_there_is_no_messaging_service(fake_twilio, run_tasks, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_FROM_NUMBER = "+15125550199"

    message = send_reply(run_tasks, LeadFactory())

    [request] = fake_twilio.messages_created
    assert request.form["From"] == "+15125550199"
    assert "MessagingServiceSid" not in request.form
    assert message.from_number == "+15125550199"


def test_it_takes_the_status_callback_from_the_public_url(fake_twilio, run_tasks, settings):
    settings.PUBLIC_BASE_URL = "https://texts.lender.example"

    send_reply(run_tasks, LeadFactory())

    [request] = fake_twilio.messages_created
    assert request.form["StatusCallback"] == "https://texts.lender.example/webhooks/twilio/status/"


def test_it_fails_and_opts_the_lead_out_on_21610(fake_twilio, run_tasks):
    lead = LeadFactory()
    fake_twilio.fail_next(status=400, code=21610, message="Attempt to send to unsubscribed recipient")

    message = send_reply(run_tasks, lead)

    lead.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "21610"
    assert lead.status == "opted_out"
    assert lead.opted_out_at is not None
    assert LeadEvent.objects.filter(lead=lead, type="opted_out", actor="twilio").count() == 1
    assert not services.send_sms(lead=lead, body="Still there?", kind=Kind.REPLY, sender=Sender.AGENT).queued
    assert len(fake_twilio.messages_created) == 1


def test_it_understands_21610_in_the_problem_details_error_format(fake_twilio, run_tasks):
    lead = LeadFactory()
    fake_twilio.fail_next_rfc9457(status=400, code=21610, title="Unsubscribed recipient")

    message = send_reply(run_tasks, lead)

    lead.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "21610"
    assert lead.status == "opted_out"


def test_it_fails_for_good_on_an_invalid_number_21211(fake_twilio, run_tasks, clock):
    lead = LeadFactory()
    fake_twilio.fail_next(status=400, code=21211, message="The 'To' number is not a valid phone number.")

    message = send_reply(run_tasks, lead)
    sweep_at(run_tasks, NOON + timedelta(hours=1))

    message.refresh_from_db()
    lead.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.error_code == "21211"
    assert "not a valid phone number" in message.error_message
    assert lead.opted_out_at is None
    assert LeadEvent.objects.filter(lead=lead, type="sms_failed").count() == 1
    assert len(fake_twilio.messages_created) == 1


@pytest.mark.parametrize(("status", "code"), [(429, 20429), (500, 20500)])
def test_it_retries_a_transient_error_with_exponential_backoff_then_gives_up(
    fake_twilio, run_tasks, clock, settings, status, code
):
    settings.SMS_MAX_ATTEMPTS = 3
    settings.SMS_RETRY_BASE_SECONDS = 30
    fake_twilio.fail_next(status=status, code=code, times=3)

    message = send_reply(run_tasks, LeadFactory())
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert message.retry_at == NOON + timedelta(seconds=30)
    assert message.error_code == str(code)

    sweep_at(run_tasks, NOON + timedelta(seconds=29))  # not due yet: nothing happens
    message.refresh_from_db()
    assert message.attempts == 1

    sweep_at(run_tasks, NOON + timedelta(seconds=30))
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 2)
    assert message.retry_at == NOON + timedelta(seconds=30 + 120)

    sweep_at(run_tasks, message.retry_at)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert message.error_code == str(code)
    assert len(fake_twilio.messages_created) == 3


def test_it_sends_on_the_retry_after_a_server_error(fake_twilio, run_tasks, clock):
    fake_twilio.fail_next(status=500, code=20500, message="Internal Server Error")

    message = send_reply(run_tasks, LeadFactory())
    sweep_at(run_tasks, message.retry_at)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 2
    assert (message.error_code, message.error_message) == ("", "")
    assert len(fake_twilio.messages_created) == 2


def test_it_retries_when_twilio_refuses_the_connection(unreachable_twilio, run_tasks, clock):
    message = send_reply(run_tasks, LeadFactory())

    assert message.status == MessageStatus.QUEUED
    assert message.retry_at == NOON + timedelta(seconds=30)
    assert "unreachable" in message.error_message.lower()


def test_it_never_resends_when_the_connection_drops_after_the_request(fake_twilio, run_tasks, clock):
    """Twilio may have taken the text: sending it again could text the borrower twice."""
    fake_twilio.drop_next_connection()

    message = send_reply(run_tasks, LeadFactory())
    sweep_at(run_tasks, NOON + timedelta(hours=1))

    message.refresh_from_db()
    assert message.status == MessageStatus.UNKNOWN
    assert message.error_message
    assert len(fake_twilio.messages_created) == 1


def test_it_fails_for_good_on_bad_credentials(fake_twilio, run_tasks, clock):
    fake_twilio.fail_next(status=401, code=20003, message="Authenticate")

    message = send_reply(run_tasks, LeadFactory())
    sweep_at(run_tasks, NOON + timedelta(hours=1))

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert len(fake_twilio.messages_created) == 1
