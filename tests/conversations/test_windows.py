"""Contact windows: the borrower's local hours, across zones, DST, state rules, holidays, caps."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from conversations import windows
from conversations.models import ContactRule, Kind
from conversations.services import send_sms
from tests.factories import LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db

EASTERN, CENTRAL, PACIFIC = "America/New_York", "America/Chicago", "America/Los_Angeles"


def at(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))


def illinois_lead(**fields):
    """A borrower in a state with no contact rule of its own: the default 08:00-21:00."""
    return LeadFactory(state="IL", zip_code="60601", phone="+13125550142", **fields)


def texas_lead(**fields):
    return LeadFactory(state="TX", zip_code="78701", phone="+15125550142", **fields)


# --- Hours in the borrower's own zone -----------------------------------------------------------


def test_it_opens_at_eight_in_the_borrowers_own_zone():
    lead = illinois_lead()
    assert windows.next_opening(lead, at(CENTRAL, 2026, 10, 6, 6, 30)) == at(CENTRAL, 2026, 10, 6, 8)
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 6, 6, 30)) == "outside_contact_window"
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 6, 8)) is None


def test_it_moves_an_evening_text_to_the_next_morning():
    lead = illinois_lead()
    assert windows.next_opening(lead, at(CENTRAL, 2026, 10, 6, 21, 0)) == at(CENTRAL, 2026, 10, 7, 8)
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 6, 20, 59)) is None


def test_it_keeps_a_pacific_borrower_asleep_while_the_east_is_awake():
    lead = LeadFactory(state="CA", zip_code="94103", phone="+14155550142")
    eastern_morning = at(EASTERN, 2026, 10, 6, 9, 30)  # 06:30 in San Francisco
    assert windows.block_reason(lead, eastern_morning) == "outside_contact_window"
    assert windows.next_opening(lead, eastern_morning) == at(PACIFIC, 2026, 10, 6, 8)


def test_it_places_a_borrower_in_a_split_state_by_zip_code():
    pensacola = LeadFactory(state="FL", zip_code="32501", phone="+15125550142")
    miami = LeadFactory(state="FL", zip_code="33130", phone="+13055550142")
    evening = at(CENTRAL, 2026, 10, 6, 19, 30)  # 20:30 in Miami, past Florida's 20:00
    assert windows.borrower_timezone(pensacola) == ZoneInfo(CENTRAL)
    assert windows.block_reason(pensacola, evening) is None
    assert windows.block_reason(miami, evening) == "outside_contact_window"


def test_it_uses_the_area_code_when_nothing_else_says_where():
    lead = LeadFactory(state="", zip_code="", phone="+12065550142")  # Seattle
    assert windows.borrower_timezone(lead) == ZoneInfo(PACIFIC)
    assert windows.next_opening(lead, at(PACIFIC, 2026, 10, 6, 7)) == at(PACIFIC, 2026, 10, 6, 8)


def test_it_takes_the_zone_from_the_state_before_the_area_code():
    # Lives in Los Angeles, kept a New York number: Los Angeles hours.
    lead = LeadFactory(state="CA", zip_code="90012", phone="+12125550142")
    assert windows.block_reason(lead, at(PACIFIC, 2026, 10, 6, 7, 30)) == "outside_contact_window"
    assert windows.block_reason(lead, at(PACIFIC, 2026, 10, 6, 20, 30)) is None


def test_it_takes_the_zone_from_the_property_state_first():
    lead = LeadFactory(property_state="NY", state="CA", zip_code="90012", phone="+14155550142")
    assert windows.borrower_timezone(lead) == ZoneInfo(EASTERN)


def test_it_assumes_the_whole_mainland_when_nothing_says_where():
    lead = LeadFactory(state="", zip_code="", phone="+18005550142")  # toll-free: no area
    assert windows.block_reason(lead, at(EASTERN, 2026, 10, 6, 10, 30)) == "outside_contact_window"
    assert windows.next_opening(lead, at(EASTERN, 2026, 10, 6, 9)) == at(EASTERN, 2026, 10, 6, 11)
    assert windows.block_reason(lead, at(EASTERN, 2026, 10, 6, 20, 30)) is None
    assert windows.next_opening(lead, at(EASTERN, 2026, 10, 6, 21)) == at(EASTERN, 2026, 10, 7, 11)


def test_it_ignores_a_zip_code_that_is_not_one():
    lead = LeadFactory(state="TX", zip_code="ABCDE", phone="+15125550142")
    assert windows.borrower_location(lead).zones == (CENTRAL,)


# --- Daylight saving time -------------------------------------------------------------------


def test_it_opens_at_eight_local_on_the_morning_clocks_spring_forward():
    lead = illinois_lead()
    saturday_night = at(CENTRAL, 2026, 3, 7, 22)
    opening = windows.next_opening(lead, saturday_night)
    assert opening == datetime(2026, 3, 8, 13, tzinfo=UTC)  # 08:00 CDT, no longer UTC-6
    assert opening.astimezone(ZoneInfo(CENTRAL)).hour == 8


def test_it_opens_at_eight_local_on_the_morning_clocks_fall_back():
    lead = illinois_lead()
    opening = windows.next_opening(lead, at(CENTRAL, 2026, 10, 31, 22))
    assert opening == datetime(2026, 11, 1, 14, tzinfo=UTC)  # 08:00 CST, no longer UTC-5


def test_it_follows_arizona_which_keeps_standard_time_all_year():
    lead = LeadFactory(state="AZ", zip_code="85004", phone="+16025550142")
    denver = LeadFactory(state="CO", zip_code="80202", phone="+13035550142")
    for month in (1, 7):
        assert windows.next_opening(lead, datetime(2026, month, 14, 12, tzinfo=UTC)) == datetime(
            2026, month, 14, 15, tzinfo=UTC
        )
    assert windows.next_opening(denver, datetime(2026, 7, 14, 12, tzinfo=UTC)) == datetime(
        2026, 7, 14, 14, tzinfo=UTC
    )


# --- State rules ----------------------------------------------------------------------------


def test_it_applies_floridas_shorter_evening():
    florida = LeadFactory(state="FL", zip_code="33130", phone="+13055550142")
    illinois = illinois_lead()
    assert windows.block_reason(florida, at(EASTERN, 2026, 10, 6, 20, 15)) == "outside_contact_window"
    assert windows.block_reason(illinois, at(CENTRAL, 2026, 10, 6, 20, 15)) is None


def test_it_protects_a_florida_resident_buying_in_another_state():
    lead = LeadFactory(state="FL", property_state="GA", zip_code="", phone="+14045550142")
    assert windows.block_reason(lead, at(EASTERN, 2026, 10, 6, 20, 15)) == "outside_contact_window"


def test_it_presumes_a_florida_area_code_is_a_floridian():
    lead = LeadFactory(state="GA", zip_code="", phone="+13055550142")
    assert "FL" in windows.borrower_location(lead).states
    assert windows.window_for(lead).week[0] == (8, 20)


def test_it_lets_an_admin_make_a_state_stricter():
    ContactRule.objects.create(state="IL", start_hour=9, end_hour=19)
    lead = illinois_lead()
    assert windows.next_opening(lead, at(CENTRAL, 2026, 10, 6, 8, 30)) == at(CENTRAL, 2026, 10, 6, 9)
    assert windows.block_reason(lead, at(CENTRAL, 2026, 10, 6, 19)) == "outside_contact_window"


def test_it_rejects_a_rule_whose_window_is_empty():
    rule = ContactRule(state="IL", start_hour=20, end_hour=9)
    with pytest.raises(ValidationError, match="start before the end"):
        rule.full_clean()


def test_it_skips_sundays_where_a_state_forbids_them():
    ContactRule.objects.create(state="IL", skip_sundays=True)
    lead = illinois_lead()
    saturday_evening = at(CENTRAL, 2026, 10, 17, 21)
    assert windows.next_opening(lead, saturday_evening) == at(CENTRAL, 2026, 10, 19, 8)


# --- Holidays -------------------------------------------------------------------------------


def test_it_sends_nothing_scheduled_on_thanksgiving():
    lead = illinois_lead()
    thanksgiving = at(CENTRAL, 2026, 11, 26, 10)
    assert windows.block_reason(lead, thanksgiving) == "holiday"
    assert windows.next_opening(lead, thanksgiving) == at(CENTRAL, 2026, 11, 27, 8)


def test_it_skips_the_observed_day_of_a_weekend_holiday():
    lead = illinois_lead()
    # July 4th 2026 is a Saturday: the federal holiday is observed on Friday the 3rd.
    assert windows.next_opening(lead, at(CENTRAL, 2026, 7, 2, 21)) == at(CENTRAL, 2026, 7, 5, 8)


def test_it_texts_on_holidays_when_ops_turn_that_off(settings):
    settings.CONTACT_WINDOW_SKIP_FEDERAL_HOLIDAYS = False
    assert windows.block_reason(illinois_lead(), at(CENTRAL, 2026, 11, 26, 10)) is None


def test_it_skips_a_states_own_holidays_when_its_rule_says_so():
    alabama = LeadFactory(state="AL", zip_code="36104", phone="+13345550142")
    confederate_memorial_day = at(CENTRAL, 2026, 4, 27, 10)
    assert windows.block_reason(alabama, confederate_memorial_day) == "holiday"
    assert windows.block_reason(illinois_lead(), confederate_memorial_day) is None


# --- Frequency caps ------------------------------------------------------------------------------


def florida_lead():
    return LeadFactory(state="FL", zip_code="33130", phone="+13055550142")


def nurture_text(lead, created_at, kind=Kind.NURTURE):
    return MessageFactory(lead=lead, kind=kind, created_at=created_at)


def test_it_stops_at_three_scheduled_texts_a_day_in_florida():
    lead = florida_lead()
    now = at(EASTERN, 2026, 10, 6, 12)
    for hours_ago in (20, 10, 2):
        nurture_text(lead, now - timedelta(hours=hours_ago))
    assert windows.block_reason(lead, now) == "frequency_cap"


def test_it_does_not_count_replies_or_the_first_text_against_the_cap():
    lead = florida_lead()
    now = at(EASTERN, 2026, 10, 6, 12)
    nurture_text(lead, now - timedelta(hours=5), kind=Kind.FIRST_CONTACT)
    nurture_text(lead, now - timedelta(hours=4), kind=Kind.REPLY)
    nurture_text(lead, now - timedelta(hours=3))
    nurture_text(lead, now - timedelta(hours=2))
    assert windows.block_reason(lead, now) is None


def test_it_finds_when_the_cap_frees_up_inside_the_window():
    lead = florida_lead()
    now = at(EASTERN, 2026, 10, 6, 12)
    nurture_text(lead, at(EASTERN, 2026, 10, 5, 19, 30))
    nurture_text(lead, at(EASTERN, 2026, 10, 6, 9))
    nurture_text(lead, at(EASTERN, 2026, 10, 6, 11))
    # The oldest ages out at 19:30 today, inside Florida's window that ends at 20:00.
    assert windows.next_allowed(lead, now) == at(EASTERN, 2026, 10, 6, 19, 30, 1)
    nurture_text(lead, at(EASTERN, 2026, 10, 6, 11, 30))
    # Now the second oldest must age out: 09:00 tomorrow.
    assert windows.next_allowed(lead, now) == at(EASTERN, 2026, 10, 7, 9, 0, 1)


def test_it_defers_past_the_cap_to_the_next_morning_when_it_frees_at_night():
    lead = florida_lead()
    for hour in (20, 21, 22):
        nurture_text(lead, at(EASTERN, 2026, 10, 5, hour))  # sent at night by hand, say
    assert windows.next_allowed(lead, at(EASTERN, 2026, 10, 6, 12)) == at(EASTERN, 2026, 10, 7, 8)


# --- Pauses -----------------------------------------------------------------------------------


def test_it_pauses_one_state_in_an_emergency():
    ContactRule.objects.filter(state="FL").update(paused=True)
    noon = at(EASTERN, 2026, 10, 6, 12)
    assert windows.block_reason(florida_lead(), noon) == "paused"
    assert windows.block_reason(illinois_lead(), noon) is None


def test_it_pauses_every_state_with_the_all_states_rule():
    ContactRule.objects.update_or_create(state="*", defaults={"paused": True})
    assert windows.block_reason(illinois_lead(), at(CENTRAL, 2026, 10, 6, 12)) == "paused"


# --- Through send_sms ---------------------------------------------------------------------------


def test_it_refuses_a_scheduled_text_at_night_and_records_why():
    lead = illinois_lead()
    with time_machine.travel(at(CENTRAL, 2026, 10, 6, 22, 30), tick=False):
        result = send_sms(lead=lead, body="Checking in", kind=Kind.NURTURE, sender="nurture")
    assert result.blocked_reason == "outside_contact_window"
    assert lead.events.filter(type="sms_blocked").exists()
    assert not lead.messages.exists()


def test_it_still_answers_the_borrower_at_night():
    lead = illinois_lead()
    with time_machine.travel(at(CENTRAL, 2026, 11, 26, 22, 30), tick=False):
        result = send_sms(lead=lead, body="Sure, here you go", kind=Kind.REPLY, sender="agent")
    assert result.queued
