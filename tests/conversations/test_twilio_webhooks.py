"""Twilio's webhooks: signed with X-Twilio-Signature, de-duplicated, answered with empty TwiML."""

import threading

import pytest
from django.db import connection
from twilio.request_validator import RequestValidator

from conversations import services, tasks
from conversations.models import Direction, Kind, Message, MessageStatus
from conversations.signals import inbound_message
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

SMS_PATH = "/webhooks/twilio/sms/"
STATUS_PATH = "/webhooks/twilio/status/"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def inbound(body: str, *, sid: str = "SM" + "a" * 32, from_number: str = "+15125550100") -> dict:
    return {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": "AC" + "0" * 32,
        "From": from_number,
        "To": "+15125559999",
        "Body": body,
        "NumMedia": "0",
    }


def test_it_stores_a_signed_inbound_text_and_answers_with_empty_twiml(twilio_post):
    lead = LeadFactory(phone="+15125550100")

    response = twilio_post(SMS_PATH, inbound("Looking to buy in the spring"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.decode() == EMPTY_TWIML
    message = Message.objects.get()
    assert (message.lead, message.direction, message.status) == (lead, Direction.INBOUND, "received")
    assert message.body == "Looking to buy in the spring"
    assert message.from_number == "+15125550100"
    assert message.provider_sid == "SM" + "a" * 32


@pytest.mark.parametrize("path", [SMS_PATH, STATUS_PATH])
def test_it_refuses_a_request_without_a_signature(twilio_post, path):
    response = twilio_post(path, inbound("STOP"), signature="")

    assert response.status_code == 403
    assert not Message.objects.exists()
    assert not Lead.objects.exists()


@pytest.mark.parametrize("path", [SMS_PATH, STATUS_PATH])
def test_it_refuses_a_signature_made_with_another_token(twilio_post, settings, path):
    params = inbound("STOP")
    forged = RequestValidator("not-our-token").compute_signature(settings.PUBLIC_BASE_URL + path, params)

    response = twilio_post(path, params, signature=forged)

    assert response.status_code == 403
    assert not Message.objects.exists()


def test_it_refuses_a_signature_over_other_parameters(twilio_post, settings):
    signed = inbound("Hi")
    signature = RequestValidator("test-auth-token").compute_signature(
        settings.PUBLIC_BASE_URL + SMS_PATH, signed
    )

    response = twilio_post(SMS_PATH, {**signed, "Body": "STOP"}, signature=signature)

    assert response.status_code == 403


@pytest.mark.parametrize("path", [SMS_PATH, STATUS_PATH])
def test_it_refuses_everything_when_no_auth_token_is_configured(twilio_post, settings, path):
    settings.TWILIO_AUTH_TOKEN = ""
    params = inbound("STOP")
    unsigned_by_anyone = RequestValidator("").compute_signature(settings.PUBLIC_BASE_URL + path, params)

    assert twilio_post(path, params).status_code == 403
    assert twilio_post(path, params, signature=unsigned_by_anyone).status_code == 403


def test_it_checks_the_public_https_url_when_a_proxy_forwards_plain_http(client, settings):
    """Twilio signs https://sms.example.com/...; the app behind the proxy sees http://testserver/..."""
    settings.PUBLIC_BASE_URL = "https://sms.example.com"
    params = inbound("Hello")
    signature = RequestValidator("test-auth-token").compute_signature(
        "https://sms.example.com" + SMS_PATH, params
    )

    response = client.post(
        SMS_PATH,
        params,
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https"},
        secure=False,
    )

    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_it_rejects_a_signature_over_the_internal_url(client, settings):
    params = inbound("Hello")
    internal = RequestValidator("test-auth-token").compute_signature("http://testserver" + SMS_PATH, params)

    response = client.post(SMS_PATH, params, headers={"X-Twilio-Signature": internal})

    assert response.status_code == 403


def test_it_stores_and_handles_a_retried_inbound_text_once(twilio_post, run_tasks):
    LeadFactory(phone="+15125550100")

    with run_tasks():
        first = twilio_post(SMS_PATH, inbound("HELP"))
        again = twilio_post(SMS_PATH, inbound("HELP"))

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.content.decode() == EMPTY_TWIML
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 1
    assert Message.objects.filter(kind=Kind.COMPLIANCE).count() == 1


def test_the_handling_task_run_twice_answers_once(twilio_post, run_tasks):
    LeadFactory(phone="+15125550100")
    with run_tasks():
        twilio_post(SMS_PATH, inbound("HELP"))
    message = Message.objects.get(direction=Direction.INBOUND)

    with run_tasks():
        assert tasks.handle_inbound(str(message.pk)) == "already handled"

    assert Message.objects.filter(kind=Kind.COMPLIANCE).count() == 1


@pytest.fixture
def broken_conversation():
    """Whatever handles the conversation crashes (a bug, a database hiccup)."""

    def crash(sender, **kwargs):
        raise RuntimeError("the assistant crashed")

    inbound_message.connect(crash, dispatch_uid="test.crash")
    yield
    inbound_message.disconnect(dispatch_uid="test.crash")


def test_it_keeps_the_text_when_handling_it_fails_and_handles_it_on_the_retry(
    twilio_post, run_tasks, broken_conversation
):
    lead = LeadFactory(phone="+15125550100", status="contacted")

    with pytest.raises(RuntimeError), run_tasks():  # sync tasks re-raise; a worker logs it
        response = twilio_post(SMS_PATH, inbound("We want to buy in Austin"))

    assert response.status_code == 200
    message = Message.objects.get(direction=Direction.INBOUND)
    assert message.body == "We want to buy in Austin"
    inbound_message.disconnect(dispatch_uid="test.crash")  # fixed, and django-q2 retries
    with run_tasks():
        assert tasks.handle_inbound(str(message.pk)) == "conversation"
    lead.refresh_from_db()
    assert lead.status == "qualifying"


def test_it_asks_for_the_message_sid(twilio_post):
    params = inbound("Hi")
    del params["MessageSid"], params["SmsSid"]

    response = twilio_post(SMS_PATH, params)

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_keeps_a_text_from_a_number_it_cannot_place(twilio_post, run_tasks):
    with run_tasks():
        response = twilio_post(
            SMS_PATH, inbound("Hello, do you lend in Canada?", from_number="+442071838750")
        )

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.body == "Hello, do you lend in Canada?"
    assert message.from_number == "+442071838750"
    assert message.lead is None
    assert not Lead.objects.exists()
    assert message.processed_at is not None  # handled (as nothing to act on), no crash


def test_it_asks_who_sent_the_text(twilio_post):
    response = twilio_post(SMS_PATH, inbound("Hi", from_number=""))

    assert response.status_code == 400
    assert not Message.objects.exists()


def test_it_only_accepts_post(client):
    assert client.get(SMS_PATH).status_code == 405
    assert client.get(STATUS_PATH).status_code == 405


def test_a_signed_status_callback_answers_no_content(twilio_post):
    response = twilio_post(STATUS_PATH, {"MessageSid": "SM" + "b" * 32, "MessageStatus": "delivered"})

    assert response.status_code == 204
    assert MessageStatus.DELIVERED == "delivered"


@pytest.mark.django_db(transaction=True)
def test_a_retry_racing_the_first_delivery_stores_one_text_and_one_lead():
    """Twilio retries while the first request is still in flight, from a number we never saw."""
    start = threading.Barrier(2)
    errors = []

    def deliver():
        start.wait()
        try:
            services.inbound_receive(
                from_number="+17375550150",
                to_number="+15125559999",
                body="Hi, I need a loan",
                provider_sid="SM" + "c" * 32,
            )
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Message.objects.filter(direction="inbound").count() == 1
    assert Lead.objects.count() == 1
    assert Lead.objects.get().inquiries.count() == 1


def test_an_officer_answering_a_lead_alert_is_not_taken_for_a_new_lead(twilio_post, run_tasks, caplog):
    services.send_sms(
        body="New lead: Ana (TX). Claim: https://sms.example.com/officer/leads/1/",
        kind=Kind.SYSTEM,
        sender="system",
        to="(512) 555-0177",
    )

    with run_tasks():
        response = twilio_post(SMS_PATH, inbound("On it, calling her now", from_number="+15125550177"))

    assert response.status_code == 200
    assert not Lead.objects.exists()
    message = Message.objects.get(direction=Direction.INBOUND)
    assert (message.body, message.lead, message.from_number) == (
        "On it, calling her now",
        None,
        "+15125550177",
    )
    assert message.processed_at is not None
    assert Message.objects.filter(direction=Direction.OUTBOUND).count() == 1  # the alert alone: no reply
    assert "staff" in caplog.text and "***-***-0177" in caplog.text and "5550177" not in caplog.text


def test_a_staff_member_who_is_also_a_borrower_is_answered_on_their_lead(twilio_post, run_tasks):
    lead = LeadFactory(phone="+15125550178", status="contacted")
    services.send_sms(body="New lead: Bo (TX).", kind=Kind.SYSTEM, sender="system", to="+15125550178")

    with run_tasks():
        twilio_post(SMS_PATH, inbound("buying a house in 2 months", from_number="+15125550178"))

    assert Message.objects.get(direction=Direction.INBOUND).lead == lead
    lead.refresh_from_db()
    assert lead.status == "qualifying"
