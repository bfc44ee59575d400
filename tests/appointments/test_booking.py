"""Appointments by text: offered times, "2", moving and cancelling, the officer's invite and
feed, reminders inside the contact window, the API and the webhooks."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django_q.conf import Conf
from icalendar import Calendar

from appointments import services
from appointments.models import Appointment, SlotOffer
from appointments.slots import Slot
from conversations import services as conversation_services
from conversations.models import Message
from integrations.models import OutboundEvent
from tests.factories import LeadFactory, LoanOfficerFactory, UserFactory, WebhookSubscriptionFactory
from tests.fakes.twilio_server import refused_base_url

pytestmark = pytest.mark.django_db
# Tuesday, March 3 2026, 10:00 in Texas.
TUESDAY_MORNING = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(TUESDAY_MORNING, tick=False)
    return time_machine


@pytest.fixture
def jane(db):
    return LoanOfficerFactory(
        name="Jane Ramirez", user=UserFactory(username="jane"), email="jane@lender.example.com",
        mobile_phone="+17375550100", licensed_states=["TX"],
    )  # fmt: skip


@pytest.fixture
def maria(jane):
    return LeadFactory(first_name="Maria", last_name="Lopez", phone="+15125550142", state="TX",
                       status="qualifying", loan_purpose="purchase")  # fmt: skip


def texts(lead, body, run_tasks, sid):
    with run_tasks():
        conversation_services.inbound_receive(
            from_number=lead.phone, to_number="+15125550000", body=body, provider_sid=sid
        )


def last_text_to(lead) -> str:
    return Message.objects.filter(lead=lead, direction="outbound").latest("created_at").body


def test_a_borrower_who_would_rather_talk_later_is_offered_three_times_and_books_one(
    clock, jane, maria, run_tasks
):
    texts(maria, "I'm at work, can we talk later?", run_tasks, "SM1")
    offer = last_text_to(maria)
    assert offer == (
        "I can set up a call with a licensed loan officer. 1) Tue Mar 3, 11:00 AM 2) Tue Mar 3, 12:00 PM "
        "3) Wed Mar 4, 9:00 AM (CST). Reply 1, 2 or 3, or name another time. Which works best?"
    )
    texts(maria, "2", run_tasks, "SM2")

    appointment = Appointment.objects.get()
    assert (appointment.officer, appointment.starts_at) == (jane, datetime(2026, 3, 3, 18, 0, tzinfo=UTC))
    assert last_text_to(maria) == (
        "You're booked: Jane Ramirez will call you Tue Mar 3, 12:00 PM CST. To move it, text a new time; "
        "to cancel, text 'cancel the appointment'."
    )
    [invite] = mail.outbox
    ics = Calendar.from_ical(invite.attachments[0][1])
    [event] = ics.walk("VEVENT")
    assert ics["METHOD"] == "REQUEST" and str(event["SUMMARY"]).startswith("Call Maria Lopez")
    assert event.decoded("DTSTART") == datetime(2026, 3, 3, 18, 0, tzinfo=UTC)
    assert Message.objects.filter(
        to_number=jane.mobile_phone, body__startswith="Appointment booked: Maria L."
    ).exists()


def test_tomorrow_at_3_books_that_time_directly(clock, jane, maria, run_tasks):
    texts(maria, "busy now, call me tomorrow at 3", run_tasks, "SM1")
    appointment = Appointment.objects.get()
    assert appointment.starts_at == datetime(2026, 3, 4, 21, 0, tzinfo=UTC)  # 15:00 CST


def test_thursday_afternoon_books_the_first_free_slot_that_afternoon(clock, jane, maria, run_tasks):
    texts(maria, "Can we set up a call? I'm at work now", run_tasks, "SM1")
    texts(maria, "Thursday afternoon", run_tasks, "SM2")
    assert Appointment.objects.get().starts_at == datetime(2026, 3, 5, 18, 0, tzinfo=UTC)  # Thu 12:00 CST


def test_a_taken_time_is_not_booked_twice(clock, jane, maria, run_tasks):
    other = LeadFactory(state="TX", status="qualifying")
    texts(other, "call me tomorrow at 3", run_tasks, "SM0")
    texts(maria, "call me tomorrow at 3", run_tasks, "SM1")
    assert Appointment.objects.count() == 1
    assert last_text_to(maria).startswith("That time isn't open. I can set up a call")


def test_a_borrower_moves_and_cancels_by_text(clock, jane, maria, run_tasks):
    WebhookSubscriptionFactory(
        events=["appointment.booked", "appointment.rescheduled", "appointment.cancelled"]
    )
    texts(maria, "call me tomorrow at 3", run_tasks, "SM1")
    texts(maria, "Can we move it to Thursday at 10?", run_tasks, "SM2")
    appointment = Appointment.objects.get()
    assert (appointment.starts_at, appointment.sequence) == (datetime(2026, 3, 5, 16, 0, tzinfo=UTC), 1)
    texts(maria, "I need to cancel the appointment", run_tasks, "SM3")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"
    assert last_text_to(maria).startswith("Your appointment is cancelled.")
    assert list(OutboundEvent.objects.order_by("id").values_list("type", flat=True)) == [
        "appointment.booked", "appointment.rescheduled", "appointment.cancelled",
    ]  # fmt: skip
    cancel = Calendar.from_ical(mail.outbox[-1].attachments[0][1])
    assert cancel["METHOD"] == "CANCEL"


def test_reminders_come_a_day_and_an_hour_before_inside_the_window(clock, jane, maria, run_tasks):
    texts(maria, "call me Thursday at 11am", run_tasks, "SM1")  # Thu Mar 5, 11:00 CST
    clock.move_to(datetime(2026, 3, 4, 17, 30, tzinfo=UTC), tick=False)  # Wed 11:30
    with run_tasks():
        assert services.reminders_send() == 1
        assert services.reminders_send() == 0
    assert last_text_to(maria).startswith("Reminder: Jane Ramirez will call you Thu Mar 5, 11:00 AM CST.")
    clock.move_to(datetime(2026, 3, 5, 16, 1, tzinfo=UTC), tick=False)  # Thu 10:01
    with run_tasks():
        assert services.reminders_send() == 1
    reminder = Message.objects.filter(lead=maria).latest("created_at")
    assert reminder.body.startswith("In an hour: Jane Ramirez will call you")
    assert reminder.status == "sent"


def test_an_hour_before_an_early_call_waits_for_the_window(clock, jane, maria, run_tasks):
    texts(maria, "call me Thursday at 9:30am", run_tasks, "SM1")  # Texas texts open at 09:00
    clock.move_to(datetime(2026, 3, 5, 14, 31, tzinfo=UTC), tick=False)  # Thu 08:31 in Texas
    with run_tasks():
        services.reminders_send()
    reminder = Message.objects.filter(lead=maria, body__startswith="In an hour").get()
    assert (reminder.status, reminder.retry_at) == ("queued", datetime(2026, 3, 5, 15, 0, tzinfo=UTC))


def test_the_api_lists_a_leads_appointments(clock, api, jane, maria, run_tasks):
    texts(maria, "call me tomorrow at 3", run_tasks, "SM1")
    response = api.get(f"/api/v1/leads/{maria.pk}/appointments/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert (item["status"], item["starts_at"], item["officer"]["name"], item["borrower_time_zone"]) == (
        "booked", "2026-03-04T15:00:00-06:00", "Jane Ramirez", "America/Chicago"
    )  # fmt: skip
    assert api.get("/api/v1/leads/00000000-0000-0000-0000-000000000000/appointments/").status_code == 404


def test_each_officer_has_a_private_calendar_feed(clock, client, jane, maria, run_tasks):
    texts(maria, "call me tomorrow at 3", run_tasks, "SM1")
    response = client.get(f"/officer/calendar/{jane.calendar_token}.ics")
    assert response["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(response.content).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2026, 3, 4, 21, 0, tzinfo=UTC)
    assert client.get("/officer/calendar/not-the-token.ics").status_code == 404


def test_a_hot_lead_nobody_can_take_is_offered_times(clock, jane, run_tasks):
    from routing.models import RoutingRule

    RoutingRule.objects.all().delete()  # nobody is eligible: the lead waits for ops
    lead = LeadFactory(
        state="TX",
        property_state="TX",
        status="qualifying",
        temperature="hot",
        last_inbound_at=TUESDAY_MORNING,
    )
    from leads import services as lead_services

    with run_tasks():
        lead_services.lead_set_status(lead=lead, status="qualified", actor="assistant")
    assert SlotOffer.objects.filter(lead=lead, status="open").exists()
    assert last_text_to(lead).startswith("I can set up a call with a licensed loan officer.")


def test_an_offer_left_unanswered_lets_the_assistant_answer_other_texts(clock, jane, maria, run_tasks):
    texts(maria, "can we talk later?", run_tasks, "SM1")
    before = Message.objects.filter(lead=maria).count()
    texts(maria, "What's an FHA loan?", run_tasks, "SM2")
    assert Appointment.objects.count() == 0
    assert Message.objects.filter(lead=maria).count() > before + 1  # the assistant answered
    assert timedelta(0) < SlotOffer.objects.get().expires_at - TUESDAY_MORNING


@pytest.mark.django_db(transaction=True)  # the officer's alert is queued on commit
def test_a_booking_while_the_broker_is_down_is_kept(clock, jane, maria, monkeypatch):
    url, holder = refused_base_url()
    monkeypatch.setattr(Conf, "SYNC", False)  # the broker as production has it, unreachable
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "BROKER_CLASS", None)  # set for the database broker only
    monkeypatch.setattr(Conf, "REDIS", url.replace("http://", "redis://") + "/0")
    slot = Slot(starts_at=TUESDAY_MORNING + timedelta(hours=2), officer=jane)

    appointment = services.appointment_book(lead=maria, slot=slot, actor="borrower")

    holder.close()
    assert Appointment.objects.get().pk == appointment.pk
