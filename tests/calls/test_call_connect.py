"""Call connect end to end: the Call button, the real twilio SDK against a local fake Calls API,
and Twilio's signed voice webhooks answering TwiML."""

import threading
import xml.etree.ElementTree as ET

import pytest
from django.db import connection

from calls import services
from calls.models import Call
from integrations.models import OutboundEvent
from leads.models import LeadEvent
from mortgage_sms.errors import ApplicationError
from tests.factories import WebhookSubscriptionFactory
from tests.fakes.twilio_server import calls_created

pytestmark = pytest.mark.django_db


def path_of(url: str, settings) -> str:
    return url.removeprefix(settings.PUBLIC_BASE_URL)


def press_call(client, jane, lead, token="press-1"):
    client.force_login(jane.user)
    return client.post(f"/officer/leads/{lead.pk}/call/", {"token": token})


def test_the_call_button_rings_the_officers_mobile_through_the_twilio_sdk(
    clock, client, fake_twilio, jane, maria, run_tasks, settings
):
    with run_tasks():
        response = press_call(client, jane, maria)

    assert response.status_code == 302
    [request] = calls_created(fake_twilio)
    assert request.form["To"] == "+17375550100" and request.form["From"] == "+15125550000"
    assert request.auth == (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    call = Call.objects.get()
    assert request.form["Url"] == f"https://sms.example.com/webhooks/twilio/voice/whisper/?call={call.pk}"
    assert request.form["StatusCallback"].startswith("https://sms.example.com/webhooks/twilio/voice/status/")
    assert (call.status, call.officer_call_sid) == ("queued", "CA" + f"{1:032x}")
    assert LeadEvent.objects.filter(lead=maria, type="call_started").exists()


def test_the_whisper_says_who_the_borrower_is_and_press_1_dials_them(
    clock, client, fake_twilio, jane, maria, run_tasks, settings, twilio_post
):
    with run_tasks():
        press_call(client, jane, maria)
    call = Call.objects.get()

    whisper = twilio_post(
        f"/webhooks/twilio/voice/whisper/?call={call.pk}", {"CallSid": call.officer_call_sid}
    )
    twiml = ET.fromstring(whisper.content)
    gather = twiml.find("Gather")
    assert gather.get("numDigits") == "1"
    assert gather.find("Say").text == "Maria Lopez, purchase in Texas, pre-approved. Press 1 to connect."

    connect = twilio_post(
        path_of(gather.get("action"), settings), {"CallSid": call.officer_call_sid, "Digits": "1"}
    )
    dial = ET.fromstring(connect.content).find("Dial")
    assert dial.get("callerId") == "+15125550000"
    assert dial.find("Number").text == "+15125550142"
    assert dial.get("record") is None  # recording is off by default
    call.refresh_from_db()
    assert call.status == "in_progress"


def test_a_completed_call_is_on_the_timeline_and_in_webhooks(
    clock, client, fake_twilio, jane, maria, run_tasks, twilio_post
):
    WebhookSubscriptionFactory(events=["call.completed"])
    with run_tasks():
        press_call(client, jane, maria)
    call = Call.objects.get()
    twilio_post(f"/webhooks/twilio/voice/connect/?call={call.pk}", {"Digits": "1"})
    dialed = {"DialCallStatus": "completed", "DialCallDuration": "252", "DialCallSid": "CAborrower"}
    twilio_post(f"/webhooks/twilio/voice/dialed/?call={call.pk}", dialed)
    twilio_post(f"/webhooks/twilio/voice/dialed/?call={call.pk}", dialed)  # Twilio retries
    twilio_post(f"/webhooks/twilio/voice/status/?call={call.pk}", {"CallStatus": "completed"})

    call.refresh_from_db()
    assert (call.status, call.duration_seconds, call.borrower_call_sid) == ("completed", 252, "CAborrower")
    [event] = LeadEvent.objects.filter(lead=maria, type="call_completed")
    assert event.description.startswith("Call by Jane Ramirez: completed, 4 min 12 s.")
    [webhook] = OutboundEvent.objects.filter(type="call.completed")
    assert '"status": "completed"' in webhook.body and '"duration_seconds": 252' in webhook.body


def test_an_officer_who_does_not_press_1_never_dials_the_borrower(
    clock, client, fake_twilio, jane, maria, run_tasks, twilio_post
):
    with run_tasks():
        press_call(client, jane, maria)
    call = Call.objects.get()
    response = twilio_post(f"/webhooks/twilio/voice/connect/?call={call.pk}", {"Digits": "9"})
    assert ET.fromstring(response.content).find("Dial") is None
    twilio_post(f"/webhooks/twilio/voice/status/?call={call.pk}", {"CallStatus": "completed"})
    call.refresh_from_db()
    assert (call.status, call.note) == ("canceled", "The officer did not press 1.")


def test_an_unanswered_officer_leg_ends_as_no_answer(
    clock, client, fake_twilio, jane, maria, run_tasks, twilio_post
):
    with run_tasks():
        press_call(client, jane, maria)
    call = Call.objects.get()
    twilio_post(f"/webhooks/twilio/voice/status/?call={call.pk}", {"CallStatus": "ringing"})
    assert Call.objects.get().status == "ringing"
    twilio_post(f"/webhooks/twilio/voice/status/?call={call.pk}", {"CallStatus": "no-answer"})
    call.refresh_from_db()
    assert (call.status, call.note) == ("no_answer", "The officer did not answer.")


def test_recording_when_on_is_announced_to_both_parties(
    clock, client, fake_twilio, jane, maria, run_tasks, settings, twilio_post
):
    settings.CALL_RECORDING = True
    with run_tasks():
        press_call(client, jane, maria)
    call = Call.objects.get()
    connect = ET.fromstring(
        twilio_post(f"/webhooks/twilio/voice/connect/?call={call.pk}", {"Digits": "1"}).content
    )
    assert connect.find("Say").text == "This call is recorded."
    dial = connect.find("Dial")
    assert dial.get("record") == "record-from-answer-dual"
    announce_url = path_of(dial.find("Number").get("url"), settings)
    announce = ET.fromstring(twilio_post(announce_url, {}).content)
    assert announce.find("Say").text.startswith("This call is recorded.")


@pytest.mark.parametrize(
    "path", ["/webhooks/twilio/voice/", "/webhooks/twilio/voice/whisper/", "/webhooks/twilio/voice/status/"]
)
def test_voice_webhooks_refuse_a_missing_or_wrong_signature(twilio_post, path, db):
    assert twilio_post(path, {"CallSid": "CA1"}, signature="").status_code == 403
    assert twilio_post(path, {"CallSid": "CA1"}, signature="bm90IGEgc2lnbmF0dXJl").status_code == 403


def test_an_opted_out_borrower_is_not_called(clock, client, fake_twilio, jane, maria, run_tasks):
    maria.opted_out_at = maria.created_at
    maria.save()
    with run_tasks():
        response = press_call(client, jane, maria)
    assert response.status_code == 302
    assert calls_created(fake_twilio) == [] and not Call.objects.exists()
    assert LeadEvent.objects.get(lead=maria, type="call_blocked").description == (
        "Call not placed: the borrower opted out."
    )


def test_a_borrower_is_not_called_outside_their_contact_window(clock, fake_twilio, jane, maria):
    clock.shift(12 * 3600)  # 22:00 in Texas, and the borrower is not texting right now
    with pytest.raises(ApplicationError, match="outside the borrower's contact window"):
        services.call_start(officer=jane, lead=maria, token="night")


def test_calls_count_toward_a_states_daily_cap(clock, fake_twilio, jane, maria, run_tasks):
    from conversations.models import ContactRule

    ContactRule.objects.update_or_create(state="TX", defaults={"max_per_24h": 1, "cap_counts_calls": True})
    with run_tasks():
        first = services.call_start(officer=jane, lead=maria, token="one")
    services._finish(first, "completed", note="Talked.")
    with pytest.raises(ApplicationError, match="no more contacts today"):
        services.call_start(officer=jane, lead=maria, token="two")


def test_an_opt_out_between_press_and_answer_stops_the_dial(
    clock, client, fake_twilio, jane, maria, run_tasks, twilio_post
):
    with run_tasks():
        press_call(client, jane, maria)
    call = Call.objects.get()
    maria.opted_out_at = maria.created_at
    maria.save()
    response = twilio_post(f"/webhooks/twilio/voice/connect/?call={call.pk}", {"Digits": "1"})
    assert ET.fromstring(response.content).find("Dial") is None
    assert Call.objects.get().status == "canceled"


@pytest.mark.django_db(transaction=True)
def test_one_press_sent_twice_at_once_places_one_call(clock, fake_twilio, jane, maria):
    """Two threads (a double tap, a retried form) with the same press: one row, one Twilio call."""
    barrier, results = threading.Barrier(2), []

    def press():
        try:
            barrier.wait()
            results.append(services.call_start(officer=jane, lead=maria, token="same-press").pk)
        except ApplicationError as error:
            results.append(error.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Call.objects.count() == 1
    assert results == [Call.objects.get().pk] * 2
    assert len(calls_created(fake_twilio)) == 1  # django-q2 runs the task inline, once


def test_a_second_press_while_a_call_is_live_is_refused(clock, fake_twilio, jane, maria, run_tasks):
    with run_tasks():
        services.call_start(officer=jane, lead=maria, token="first")
    with pytest.raises(ApplicationError, match="already under way"):
        services.call_start(officer=jane, lead=maria, token="second")
    assert len(calls_created(fake_twilio)) == 1


def test_an_officer_without_a_mobile_is_told_to_add_one(clock, jane, maria):
    jane.mobile_phone = ""
    jane.save()
    with pytest.raises(ApplicationError, match="Add your mobile"):
        services.call_start(officer=jane, lead=maria, token="x")
