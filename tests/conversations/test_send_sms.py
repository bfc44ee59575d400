"""send_sms, the one choke point: what it refuses, why, and what it adds to a text."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conversations import services
from conversations.models import ContactRule, Kind, Message, MessageStatus, Sender
from leads import services as lead_services
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

CENTRAL = ZoneInfo("America/Chicago")  # Texas
EASTERN = ZoneInfo("America/New_York")  # Florida


def at(hour: int, minute: int = 0, *, zone=CENTRAL, day: int = 3):
    return time_machine.travel(datetime(2025, 6, day, hour, minute, tzinfo=zone), tick=False)


def send(lead, kind=Kind.NURTURE, body="Rates moved this week; still thinking about buying?"):
    sender = Sender.NURTURE if kind == Kind.NURTURE else Sender.AGENT
    return services.send_sms(lead=lead, body=body, kind=kind, sender=sender)


def borrower_texted(lead, *, at: datetime) -> None:
    lead_services.lead_record_inbound(lead_id=lead.pk, at=at)


def blocked_events(lead):
    return list(lead.events.filter(type="sms_blocked").values_list("data__reason", flat=True))


@pytest.mark.parametrize(
    ("make_lead", "reason"),
    [
        (lambda: LeadFactory(sms_consent=False), "no_consent"),
        (lambda: LeadFactory(do_not_contact=True), "do_not_contact"),
    ],
)
@pytest.mark.parametrize("kind", [Kind.FIRST_CONTACT, Kind.REPLY, Kind.NURTURE])
def test_it_refuses_a_borrower_who_may_not_be_texted(make_lead, reason, kind):
    lead = make_lead()

    with at(12):
        result = send(lead, kind)

    assert not result.queued
    assert result.blocked_reason == reason
    assert not Message.objects.exists()
    assert blocked_events(lead) == [reason]
    event = lead.events.get(type="sms_blocked")
    assert event.data["kind"] == kind
    assert "Rates moved" in event.description


def test_it_refuses_a_borrower_who_opted_out():
    lead = LeadFactory()
    lead_services.lead_opt_out(lead=lead, words="STOP")

    with at(12):
        result = send(lead, Kind.REPLY)

    assert result.blocked_reason == "opted_out"
    assert not Message.objects.exists()
    assert blocked_events(lead) == ["opted_out"]


def test_it_refuses_a_nurture_text_at_22_local_but_sends_a_reply_at_23(run_tasks):
    lead = LeadFactory(state="TX")

    with at(22):
        nurture = send(lead, Kind.NURTURE)
    borrower_texted(lead, at=datetime(2025, 6, 3, 22, 58, tzinfo=CENTRAL))
    with at(23), run_tasks():
        reply = send(lead, Kind.REPLY, body="Sure, 30-year fixed works for a purchase.")

    assert nurture.blocked_reason == "outside_contact_window"
    assert blocked_events(lead) == ["outside_contact_window"]
    reply.message.refresh_from_db()
    assert reply.message.status == MessageStatus.SENT


def test_it_sends_the_first_contact_at_any_hour():
    lead = LeadFactory(state="TX")

    with at(3):
        result = send(lead, Kind.FIRST_CONTACT, body="Hi, thanks for your inquiry!")

    assert result.queued


def test_it_refuses_a_nurture_text_before_the_window_opens():
    with at(7, 59):
        result = send(LeadFactory(state="TX"))

    assert result.blocked_reason == "outside_contact_window"


def test_it_uses_the_stricter_florida_window():
    with at(20, 30, zone=EASTERN):
        in_florida = send(LeadFactory(state="FL"))
        in_texas = send(LeadFactory(state="TX"))  # 19:30 in Texas

    assert in_florida.blocked_reason == "outside_contact_window"
    assert in_texas.queued


def test_it_caps_florida_at_three_texts_in_24_hours_not_counting_replies():
    lead = LeadFactory(state="FL")
    for hour in (10, 11, 12):
        with at(hour, zone=EASTERN):
            assert send(lead).queued

    with at(13, zone=EASTERN):
        fourth = send(lead)
        reply = send(lead, Kind.REPLY, body="Yes, FHA allows 3.5% down.")
    with at(10, 1, zone=EASTERN, day=4):
        next_day = send(lead)

    assert fourth.blocked_reason == "frequency_cap"
    assert blocked_events(lead) == ["frequency_cap"]
    assert reply.queued
    assert next_day.queued


def test_it_holds_scheduled_texts_while_a_state_is_paused():
    ContactRule.objects.update_or_create(state="TX", defaults={"paused": True, "note": "Hurricane"})
    lead = LeadFactory(state="TX")

    with at(12):
        nurture = send(lead)
        reply = send(lead, Kind.REPLY, body="Stay safe; we can talk next week.")

    assert nurture.blocked_reason == "paused"
    assert reply.queued  # held, not refused: it goes out once the pause is lifted
    assert reply.message.retry_at > datetime(2025, 6, 3, 12, tzinfo=CENTRAL)
    assert lead.events.get(type="sms_deferred").data["reason"] == "paused"


@pytest.mark.parametrize("kind", [Kind.FIRST_CONTACT, Kind.NURTURE])
def test_it_appends_the_opt_out_line_to_greetings_and_nurture(kind):
    with at(12):
        result = send(LeadFactory(), kind, body="Hi Ana, it's Acme Home Loans.")

    assert result.message.body == "Hi Ana, it's Acme Home Loans. Reply STOP to opt out."


def test_it_adds_no_opt_out_line_to_a_reply():
    with at(12):
        result = send(LeadFactory(), Kind.REPLY, body="Great, what is your timeline?")

    assert result.message.body == "Great, what is your timeline?"


def test_it_does_not_repeat_the_opt_out_line_a_text_already_has():
    with at(12):
        result = send(LeadFactory(), Kind.NURTURE, body="New rates are out. Text STOP to opt out.")

    assert result.message.body == "New rates are out. Text STOP to opt out."


def test_it_appends_the_opt_out_line_in_spanish_for_a_spanish_speaker():
    with at(12):
        result = send(LeadFactory(language="es"), Kind.NURTURE, body="Hola Ana.")

    assert result.message.body == "Hola Ana. Responda STOP para no recibir más mensajes."


def test_the_same_dedupe_key_queues_one_text():
    lead = LeadFactory()

    with at(12):
        first = services.send_sms(
            lead=lead, body="Hi", kind=Kind.NURTURE, sender=Sender.NURTURE, dedupe_key="nurture:1"
        )
        again = services.send_sms(
            lead=lead, body="Hi", kind=Kind.NURTURE, sender=Sender.NURTURE, dedupe_key="nurture:1"
        )

    assert again.message == first.message
    assert Message.objects.count() == 1


def test_it_texts_staff_without_a_lead(run_tasks):
    with run_tasks():
        result = services.send_sms(
            body="New hot lead: Ana (TX purchase)", kind=Kind.SYSTEM, sender=Sender.SYSTEM, to="512-555-0177"
        )

    result.message.refresh_from_db()
    assert result.message.to_number == "+15125550177"
    assert result.message.status == MessageStatus.SENT


def test_it_will_not_text_a_borrower_without_a_lead():
    with pytest.raises(ValueError, match="staff alerts"):
        services.send_sms(body="Hi", kind=Kind.NURTURE, sender=Sender.NURTURE, to="512-555-0177")


# --- Replies and introductions: at any hour while the borrower is texting, else in the window ----


def officer_text(lead, kind=Kind.REPLY, body="Hi Ana, it's Bob from Acme. Still looking?"):
    return services.send_sms(lead=lead, body=body, kind=kind, sender=Sender.OFFICER)


@pytest.mark.parametrize("kind", [Kind.REPLY, Kind.INTRODUCTION])
def test_a_text_to_a_borrower_who_wrote_days_ago_waits_for_the_morning_instead_of_going_at_night(
    kind, run_tasks, fake_twilio
):
    lead = LeadFactory(state="TX")
    borrower_texted(lead, at=datetime(2025, 6, 1, 15, tzinfo=CENTRAL))

    with at(23), run_tasks():
        result = officer_text(lead, kind)

    held = result.message
    held.refresh_from_db()
    morning = datetime(2025, 6, 4, 9, tzinfo=CENTRAL)  # Texas opens at nine
    assert (held.status, held.retry_at) == (MessageStatus.QUEUED, morning)
    assert fake_twilio.messages_created == []
    event = lead.events.get(type="sms_deferred")
    assert datetime.fromisoformat(event.data["until"]) == morning
    assert "2025-06-04 09:00" in event.description
    assert not blocked_events(lead)

    with time_machine.travel(morning, tick=False), run_tasks():
        services.outbox_sweep()
    held.refresh_from_db()
    assert held.status == MessageStatus.SENT
    assert len(fake_twilio.messages_created) == 1


@pytest.mark.parametrize("kind", [Kind.REPLY, Kind.INTRODUCTION])
def test_a_text_to_a_borrower_who_is_texting_goes_at_once_at_night(kind, run_tasks):
    lead = LeadFactory(state="TX")
    borrower_texted(lead, at=datetime(2025, 6, 3, 22, 30, tzinfo=CENTRAL))

    with at(23), run_tasks():
        result = officer_text(lead, kind)

    result.message.refresh_from_db()
    assert result.message.status == MessageStatus.SENT
    assert not lead.events.filter(type="sms_deferred").exists()


def test_the_conversation_is_live_for_reply_live_minutes(settings):
    settings.REPLY_LIVE_MINUTES = 30
    live, gone_quiet = LeadFactory(state="TX"), LeadFactory(state="TX")
    borrower_texted(live, at=datetime(2025, 6, 3, 22, 31, tzinfo=CENTRAL))
    borrower_texted(gone_quiet, at=datetime(2025, 6, 3, 22, 29, tzinfo=CENTRAL))

    with at(23):
        assert officer_text(live).message.retry_at is None
        assert officer_text(gone_quiet).message.retry_at == datetime(2025, 6, 4, 9, tzinfo=CENTRAL)


def test_a_reply_inside_the_window_goes_at_once_whenever_the_borrower_last_wrote(run_tasks):
    lead = LeadFactory(state="TX")

    with at(12), run_tasks():
        result = officer_text(lead)

    result.message.refresh_from_db()
    assert result.message.status == MessageStatus.SENT


def test_a_queued_text_is_held_when_texts_are_paused_before_it_is_delivered(run_tasks, fake_twilio):
    lead = LeadFactory(state="TX")
    with at(12):
        queued = send(lead).message  # its delivery task has not run yet
    ContactRule.objects.update_or_create(state="*", defaults={"paused": True, "note": "Carrier outage"})

    with at(12, 1), run_tasks():
        services.outbox_sweep()
        services.message_deliver(message_id=queued.pk)
    queued.refresh_from_db()
    assert queued.status == MessageStatus.QUEUED
    assert queued.retry_at > datetime(2025, 6, 3, 12, 1, tzinfo=CENTRAL)
    assert queued.attempts == 0
    assert fake_twilio.messages_created == []

    ContactRule.objects.filter(state="*").update(paused=False)
    with time_machine.travel(queued.retry_at, tick=False), run_tasks():
        services.outbox_sweep()
    queued.refresh_from_db()
    assert queued.status == MessageStatus.SENT


def test_a_deferred_reply_is_held_while_the_borrowers_state_is_paused(run_tasks, fake_twilio):
    lead = LeadFactory(state="TX")
    with at(23):
        held = officer_text(lead).message
    ContactRule.objects.update_or_create(state="TX", defaults={"paused": True, "note": "Hurricane"})

    with time_machine.travel(held.retry_at, tick=False), run_tasks():
        services.outbox_sweep()

    held.refresh_from_db()
    assert held.status == MessageStatus.QUEUED
    assert fake_twilio.messages_created == []
