"""The shipped state rules at their edges, with a frozen clock: what a compliance officer checks."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conversations import windows
from conversations.models import ContactRule, Kind, Message, MessageStatus
from conversations.services import first_contact_send, send_sms
from tests.factories import LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db

EASTERN, CENTRAL, PACIFIC = "America/New_York", "America/Chicago", "America/Los_Angeles"


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))


def test_every_shipped_state_rule_carries_its_citation_and_the_day_it_was_checked():
    rules = ContactRule.objects.exclude(state="*")
    assert rules.count() >= 18
    for rule in rules:
        assert rule.citation and rule.note, rule.state
        assert rule.checked_on == date(2026, 12, 1), rule.state


def test_it_cites_floridas_hours_section_not_the_consent_one():
    florida = ContactRule.objects.get(state="FL")
    assert "501.616(6)" in florida.citation
    assert "775C.4" in ContactRule.objects.get(state="OK").citation


# --- Texas: Sunday from noon ---------------------------------------------------------------------


def texas_lead():
    return LeadFactory(state="TX", zip_code="78701", phone="+15125550142")


def test_texas_is_closed_at_1159_on_a_sunday_and_open_at_noon():
    lead = texas_lead()
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 18, 11, 59)) == "outside_contact_window"
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 18, 12, 0)) is None
    assert windows.next_opening(lead, at(CENTRAL, 2026, 10, 18, 9)) == at(CENTRAL, 2026, 10, 18, 12)


def test_texas_opens_at_nine_on_weekdays_and_closes_at_nine_in_the_evening():
    lead = texas_lead()
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 19, 8, 59)) == "outside_contact_window"
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 19, 20, 59)) is None
    assert windows.next_opening(lead, at(CENTRAL, 2026, 10, 17, 21)) == at(CENTRAL, 2026, 10, 18, 12)


# --- Alabama: no Sundays, no holidays ------------------------------------------------------------


def alabama_lead():
    return LeadFactory(state="AL", zip_code="36104", phone="+13345550142")


def test_alabama_gets_nothing_scheduled_on_a_sunday():
    lead = alabama_lead()
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 18, 12)) == "outside_contact_window"
    assert windows.next_opening(lead, at(CENTRAL, 2026, 10, 17, 20)) == at(CENTRAL, 2026, 10, 19, 8)


def test_alabama_gets_nothing_on_its_own_state_holiday():
    confederate_memorial_day = at(CENTRAL, 2026, 4, 27, 10)  # a Monday; not a federal holiday
    lead = alabama_lead()
    assert windows.block_reason(lead, confederate_memorial_day) == "holiday"
    assert windows.next_opening(lead, confederate_memorial_day) == at(CENTRAL, 2026, 4, 28, 8)
    illinois = LeadFactory(state="IL", zip_code="60601", phone="+13125550142")
    assert windows.block_reason(illinois, confederate_memorial_day) is None


def test_alabamas_first_text_after_a_sunday_inquiry_waits_for_monday():
    lead = alabama_lead()
    inquiry = lead.inquiries.create(source="web", sms_consent=True)
    with time_machine.travel(at(CENTRAL, 2026, 10, 18, 15), tick=False):
        result = first_contact_send(lead_id=lead.pk, inquiry_id=inquiry.pk)
    assert result.message.status == MessageStatus.QUEUED
    assert result.message.retry_at == at(CENTRAL, 2026, 10, 19, 8)
    until = datetime.fromisoformat(lead.events.get(type="sms_deferred").data["until"])
    assert until == at(CENTRAL, 2026, 10, 19, 8)


# --- Florida: three in 24 hours ------------------------------------------------------------------


def test_a_florida_borrowers_fourth_scheduled_text_in_24_hours_is_deferred():
    lead = LeadFactory(state="FL", zip_code="33130", phone="+13055550142")
    now = at(EASTERN, 2026, 10, 6, 12)
    for hours_ago in (20, 6, 1):
        MessageFactory(lead=lead, kind=Kind.NURTURE, created_at=now - timedelta(hours=hours_ago))
    assert windows.block_reason(lead, now) == "frequency_cap"
    # The oldest ages out at 16:00 today, inside Florida's 08:00-20:00.
    assert windows.next_allowed(lead, now) == at(EASTERN, 2026, 10, 6, 16, 0, 1)


def test_an_officers_introduction_to_a_borrower_not_texting_now_waits_for_floridas_cap():
    """An introduction starts a contact (the borrower last wrote hours ago): it counts against
    the cap, so it also waits for it, as the fourth nurture step would."""
    lead = LeadFactory(state="FL", zip_code="33130", phone="+13055550142")
    now = at(EASTERN, 2026, 10, 6, 12)
    for hours_ago in (20, 6, 1):
        MessageFactory(lead=lead, kind=Kind.NURTURE, created_at=now - timedelta(hours=hours_ago))
    lead.last_inbound_at = now - timedelta(hours=3)
    lead.save(update_fields=["last_inbound_at"])
    with time_machine.travel(now, tick=False):
        result = send_sms(lead=lead, body="Hi, I'm Jane", kind=Kind.INTRODUCTION, sender="officer")
    assert result.message.retry_at == at(EASTERN, 2026, 10, 6, 16, 0, 1)
    assert lead.events.get(type="sms_deferred").data["reason"] == "frequency_cap"
    # While the borrower is texting, the introduction answers them: at once, not counted.
    lead.last_inbound_at = now - timedelta(minutes=5)
    lead.save(update_fields=["last_inbound_at"])
    with time_machine.travel(now, tick=False):
        live = send_sms(lead=lead, body="Hi again", kind=Kind.INTRODUCTION, sender="officer")
    assert live.message.retry_at is None


def test_floridas_first_text_goes_at_once_at_night_the_borrower_asked():
    lead = LeadFactory(state="FL", zip_code="33130", phone="+13055550142")
    inquiry = lead.inquiries.create(source="web", sms_consent=True)
    with time_machine.travel(at(EASTERN, 2026, 10, 6, 23), tick=False):
        result = first_contact_send(lead_id=lead.pk, inquiry_id=inquiry.pk)
    assert result.message.retry_at is None


def test_calls_count_against_a_cap_that_counts_both_once_calls_are_recorded():
    lead = LeadFactory(state="FL", zip_code="33130", phone="+13055550142")
    now = at(EASTERN, 2026, 10, 6, 12)
    MessageFactory(lead=lead, kind=Kind.NURTURE, created_at=now - timedelta(hours=3))

    def two_calls(lead_ids, since, until):
        return {lead.pk: [now - timedelta(hours=2), now - timedelta(hours=1)]} if lead.pk in lead_ids else {}

    windows.register_call_source(two_calls)
    try:
        assert windows.block_reason(lead, now) == "frequency_cap"
        illinois = LeadFactory(state="IL", zip_code="60601", phone="+13125550142")
        assert windows.block_reason(illinois, now) is None
    finally:
        windows._call_sources.remove(two_calls)


# --- Washington: until 20:00 ---------------------------------------------------------------------


def test_a_washington_number_is_closed_at_2000():
    lead = LeadFactory(state="", zip_code="", phone="+12065550142")  # Seattle area code
    assert windows.block_reason(lead, at(PACIFIC, 2026, 10, 6, 19, 59)) is None
    assert windows.block_reason(lead, at(PACIFIC, 2026, 10, 6, 20, 0)) == "outside_contact_window"
    with time_machine.travel(at(PACIFIC, 2026, 10, 6, 20, 0), tick=False):
        result = send_sms(lead=lead, body="Checking in", kind=Kind.NURTURE, sender="nurture")
    assert result.blocked_reason == "outside_contact_window"


# --- Rhode Island: weekdays and Saturdays differ -----------------------------------------------


def test_rhode_island_closes_at_six_on_weekdays_and_five_on_saturdays():
    lead = LeadFactory(state="RI", zip_code="02903", phone="+14015550142")
    assert windows.block_reason(lead, at(EASTERN, 2026, 10, 16, 17, 59)) is None  # Friday
    assert windows.block_reason(lead, at(EASTERN, 2026, 10, 16, 18)) == "outside_contact_window"
    assert windows.block_reason(lead, at(EASTERN, 2026, 10, 17, 9, 30)) == "outside_contact_window"
    assert windows.block_reason(lead, at(EASTERN, 2026, 10, 17, 16, 59)) is None
    assert windows.next_opening(lead, at(EASTERN, 2026, 10, 17, 17)) == at(EASTERN, 2026, 10, 19, 9)


# --- Maryland: the first text is exempt, later replies are not ---------------------------------


def test_marylands_reply_at_night_waits_even_while_the_borrower_is_texting():
    lead = LeadFactory(state="MD", zip_code="21201", phone="+14105550142")
    night = at(EASTERN, 2026, 10, 6, 22)
    lead.last_inbound_at = night - timedelta(minutes=2)
    lead.save(update_fields=["last_inbound_at"])
    with time_machine.travel(night, tick=False):
        result = send_sms(lead=lead, body="Sure, here you go", kind=Kind.REPLY, sender="agent")
    assert result.message.retry_at == at(EASTERN, 2026, 10, 7, 8)


# --- The default window follows the environment (the "*" rule sets no hours) ------------------


def test_the_environments_window_can_widen_where_no_state_rule_is_stricter(settings):
    settings.CONTACT_WINDOW_START_HOUR, settings.CONTACT_WINDOW_END_HOUR = 7, 22
    illinois = LeadFactory(state="IL", zip_code="60601", phone="+13125550142")
    assert windows.block_reason(illinois, at(CENTRAL, 2026, 10, 6, 7, 30)) is None
    assert windows.block_reason(illinois, at(CENTRAL, 2026, 10, 6, 21, 30)) is None
    florida = LeadFactory(state="FL", zip_code="33130", phone="+13055550142")
    assert windows.block_reason(florida, at(EASTERN, 2026, 10, 6, 20, 30)) == "outside_contact_window"


def test_ops_can_still_narrow_every_state_with_the_all_states_rule():
    ContactRule.objects.filter(state="*").update(start_hour=10, end_hour=18)
    illinois = LeadFactory(state="IL", zip_code="60601", phone="+13125550142")
    assert windows.block_reason(illinois, at(CENTRAL, 2026, 10, 6, 9, 30)) == "outside_contact_window"
    assert not Message.objects.exists()


def test_it_warns_at_start_up_when_the_default_window_reaches_past_the_federal_hours(settings):
    from conversations.checks import contact_window_within_tcpa_hours

    assert contact_window_within_tcpa_hours(None) == []
    settings.CONTACT_WINDOW_END_HOUR = 22
    [warning] = contact_window_within_tcpa_hours(None)
    assert warning.id == "conversations.W001" and "64.1200(c)(1)" in warning.msg
