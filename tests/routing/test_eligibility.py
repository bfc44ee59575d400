from datetime import UTC, datetime, time, timedelta

import pytest

from routing.eligibility import eligible_candidates, ineligibility, officer_loads
from routing.models import LoanOfficer, Offer, RoutingRequest
from tests.factories import LeadFactory, QualifiedLeadFactory

pytestmark = pytest.mark.django_db

WEDNESDAY_10AM_CHICAGO = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
WEDNESDAY_9PM_CHICAGO = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
SATURDAY_10AM_CHICAGO = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)


def why_not(officer, lead, now=WEDNESDAY_10AM_CHICAGO, load=0):
    return ineligibility(officer, lead, now=now, load=load)


def test_it_offers_a_lead_to_a_licensed_officer_at_work(make_officer):
    assert why_not(make_officer(), QualifiedLeadFactory()) is None


def test_it_never_offers_a_lead_in_a_state_the_officer_is_not_licensed_in(make_officer):
    lead = QualifiedLeadFactory(property_state="NM")
    always_there = make_officer(after_hours=True, capacity=1000)
    assert why_not(always_there, lead) == "not_licensed"


def test_it_checks_the_license_against_the_property_not_where_the_borrower_lives(make_officer):
    officer = make_officer(licensed_states=["OK"])
    assert why_not(officer, QualifiedLeadFactory(state="TX", property_state="OK")) is None
    assert why_not(officer, QualifiedLeadFactory(state="OK", property_state="TX")) == "not_licensed"


def test_it_falls_back_to_the_borrower_state_while_the_property_state_is_unknown(make_officer):
    officer = make_officer(licensed_states=["TX"])
    assert why_not(officer, QualifiedLeadFactory(state="TX", property_state=None)) is None
    assert why_not(officer, QualifiedLeadFactory(state="", property_state=None)) == "not_licensed"


def test_it_skips_inactive_officers(make_officer):
    assert why_not(make_officer(active=False), QualifiedLeadFactory()) == "inactive"


def test_it_requires_the_loan_type_unless_the_borrower_is_unsure(make_officer):
    conventional_only = make_officer(products=["conventional"])
    assert why_not(conventional_only, QualifiedLeadFactory(loan_type="va")) == "product"
    assert why_not(conventional_only, QualifiedLeadFactory(loan_type="unsure")) is None
    assert why_not(conventional_only, QualifiedLeadFactory(loan_type=None)) is None


def test_it_respects_working_hours_in_the_officers_own_time_zone(make_officer):
    lead = QualifiedLeadFactory()
    chicago = make_officer(time_zone="America/Chicago")
    honolulu = make_officer(time_zone="Pacific/Honolulu")  # 06:00 there: not yet
    assert why_not(chicago, lead) is None
    assert why_not(honolulu, lead) == "outside_hours"
    assert why_not(chicago, lead, now=WEDNESDAY_9PM_CHICAGO) == "outside_hours"


def test_it_keeps_weekends_off_unless_they_are_work_days(make_officer):
    lead = QualifiedLeadFactory()
    assert why_not(make_officer(), lead, now=SATURDAY_10AM_CHICAGO) == "outside_hours"
    assert why_not(make_officer(work_days=[5, 6]), lead, now=SATURDAY_10AM_CHICAGO) is None


def test_it_handles_an_overnight_shift(make_officer):
    night = make_officer(work_start=time(20, 0), work_end=time(4, 0), work_days=[2])  # Wednesday night
    lead = QualifiedLeadFactory()
    assert why_not(night, lead, now=WEDNESDAY_9PM_CHICAGO) is None
    assert why_not(night, lead, now=WEDNESDAY_9PM_CHICAGO + timedelta(hours=5)) is None  # Thu 02:00
    assert why_not(night, lead) == "outside_hours"


def test_it_offers_outside_hours_to_officers_who_take_after_hours_leads(make_officer):
    assert why_not(make_officer(after_hours=True), QualifiedLeadFactory(), now=WEDNESDAY_9PM_CHICAGO) is None


def test_it_skips_officers_out_of_office_until_they_are_back(make_officer):
    officer = make_officer(out_of_office_until=WEDNESDAY_10AM_CHICAGO + timedelta(hours=2))
    lead = QualifiedLeadFactory()
    assert why_not(officer, lead) == "out_of_office"
    assert why_not(officer, lead, now=WEDNESDAY_10AM_CHICAGO + timedelta(hours=3)) is None


def test_it_skips_officers_at_capacity(make_officer):
    officer = make_officer(capacity=2)
    assert why_not(officer, QualifiedLeadFactory(), load=1) is None
    assert why_not(officer, QualifiedLeadFactory(), load=2) == "at_capacity"


def test_it_counts_open_assigned_leads_and_pending_offers_as_load(make_officer):
    officer = make_officer()
    LeadFactory(assigned_officer=officer, status="claimed")
    LeadFactory(assigned_officer=officer, status="closed_won")
    LeadFactory(assigned_officer=officer, status="opted_out")
    offered = QualifiedLeadFactory(status="offered")
    request = RoutingRequest.objects.create(lead=offered, reason="test")
    Offer.objects.create(
        request=request,
        lead=offered,
        officer=officer,
        strategy="broadcast",
        expires_at=WEDNESDAY_10AM_CHICAGO,
    )
    assert officer_loads([officer.pk])[officer.pk] == 2


def test_it_says_why_nobody_was_eligible(make_officer):
    lead = QualifiedLeadFactory(property_state="TX")
    make_officer(licensed_states=["CA"])
    make_officer(licensed_states=["CA"])
    make_officer(active=False)
    eligible, refusals = eligible_candidates(lead, LoanOfficer.objects.all(), now=WEDNESDAY_10AM_CHICAGO)
    assert eligible == []
    assert refusals == {"not_licensed": 2, "inactive": 1}
