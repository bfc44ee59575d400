"""A call whose end Twilio never reported (a status callback lost while the server was down, or
the console gateway, which rings nobody) does not keep the borrower uncallable for ever: the
sweeper asks Twilio how it ended, or closes it."""

from datetime import timedelta

import pytest
from django_q.conf import Conf
from django_q.models import Schedule

from calls import services, tasks
from calls.models import Call
from leads.models import LeadEvent
from tests.fakes.twilio_server import calls_created, refused_base_url

pytestmark = pytest.mark.django_db


def press(jane, maria, run_tasks, token) -> Call:
    with run_tasks():
        return services.call_start(officer=jane, lead=maria, token=token)


def test_a_call_left_ringing_is_settled_as_twilio_says_and_the_borrower_can_be_called_again(
    clock, fake_twilio, jane, maria, run_tasks
):
    call = press(jane, maria, run_tasks, "first")
    fake_twilio.call_ended(Call.objects.get(pk=call.pk).officer_call_sid, status="no-answer")

    clock.shift(timedelta(minutes=5))
    assert tasks.settle_stale_calls() == 0  # Twilio may still be ringing the officer
    clock.shift(timedelta(minutes=6))
    assert tasks.settle_stale_calls() == 1

    call.refresh_from_db()
    assert (call.status, call.note) == ("no_answer", "The officer did not answer.")
    assert LeadEvent.objects.filter(lead=maria, type="call_completed").count() == 1
    press(jane, maria, run_tasks, "second")
    assert len(calls_created(fake_twilio)) == 2


def test_a_connected_call_twilio_still_has_is_left_alone(clock, fake_twilio, jane, maria, run_tasks):
    call = press(jane, maria, run_tasks, "first")
    services.call_connect(call=call, digits="1")

    clock.shift(timedelta(hours=5))
    assert tasks.settle_stale_calls() == 0  # Twilio answers "in-progress": a long call

    fake_twilio.call_ended(Call.objects.get(pk=call.pk).officer_call_sid, status="completed")
    assert tasks.settle_stale_calls() == 1
    assert Call.objects.get(pk=call.pk).status == "completed"


def test_a_console_call_is_closed_when_nobody_drove_it(clock, jane, maria, run_tasks, settings):
    settings.SMS_BACKEND = "console"
    call = press(jane, maria, run_tasks, "first")

    clock.shift(timedelta(minutes=11))
    tasks.settle_stale_calls()

    call.refresh_from_db()
    assert call.status == "failed"
    assert call.note == "No word from Twilio on how this call ended (console gateway: no phone rang)."
    assert press(jane, maria, run_tasks, "second").status == "queued"


def test_the_sweeper_runs_every_few_minutes():
    schedule = Schedule.objects.get(func="calls.tasks.settle_stale_calls")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 5, -1)


@pytest.fixture
def broker_down(monkeypatch):
    """The broker as production has it (Redis, tasks not run inline), but unreachable."""
    url, holder = refused_base_url()
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "BROKER_CLASS", None)  # set for the database broker only
    monkeypatch.setattr(Conf, "REDIS", url.replace("http://", "redis://") + "/0")
    yield
    holder.close()


@pytest.mark.django_db(transaction=True)  # the task is queued on commit, inside the request
def test_a_press_while_the_broker_is_down_is_kept_and_not_an_error_page(
    clock, client, jane, maria, broker_down
):
    client.force_login(jane.user)

    response = client.post(f"/officer/leads/{maria.pk}/call/", {"token": "press"})

    assert response.status_code == 302
    assert Call.objects.get(lead=maria).status == "queued"  # the sweeper closes it if never placed
