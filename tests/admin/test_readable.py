"""The admin reads like a product: labels, not stored values."""

import pytest

from leads import display
from leads.choices import STATE_CHOICES, LoanType, Timeline
from leads.models import LeadEvent
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_choices_read_as_people_say_them_and_keep_their_values():
    assert (LoanType.FHA.value, LoanType.FHA.label) == ("fha", "FHA")
    assert (Timeline.MONTHS_1_3.value, Timeline.MONTHS_1_3.label) == ("1_3_months", "1-3 months")
    assert [name for _, name in STATE_CHOICES[:4]] == ["Alabama", "Alaska", "American Samoa", "Arizona"]


def test_a_qualification_event_reads_as_words():
    event = LeadEvent(
        lead=LeadFactory(),
        type="qualification_updated",
        description="timeline: 1_3_months, property_found: False",
        data={
            "changes": {
                "timeline": [None, "1_3_months"],
                "property_found": [None, False],
                "loan_type": ["va", "fha"],
            }
        },
    )
    assert display.event_title(event) == "Qualification"
    assert display.event_summary(event) == "Timeline: 1-3 months, Property found: no, Loan type: FHA"


def test_a_status_change_reads_as_a_move_with_its_reason():
    lead = LeadFactory()
    plain = LeadEvent(
        lead=lead,
        type="status_changed",
        description="qualifying -> qualified",
        data={"from": "qualifying", "to": "qualified"},
    )
    reasoned = LeadEvent(
        lead=lead,
        type="status_changed",
        description="Claimed by Ann.",
        data={"from": "offered", "to": "closed_won"},
    )
    assert display.event_summary(plain) == "Qualifying → Qualified"
    assert display.event_summary(reasoned) == "Offered to an officer → Won. Claimed by Ann."
