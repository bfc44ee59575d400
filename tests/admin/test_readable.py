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


def test_the_crm_pages_name_things_as_people_write_them(admin_client):
    index = admin_client.get("/admin/").content.decode()
    for label in ("CRM integrations", "CRM notifications", "CRM records"):
        assert f">{label}</a>" in index
    form = admin_client.get("/admin/integrations/crmintegration/add/").content.decode()
    for label in ("Add CRM integration", "API client:", "Salesforce instance URL:", "Client ID:"):
        assert label in form
    assert "Crm" not in index + form and "Api client" not in form


def test_an_ab_variants_spanish_text_says_so(admin_client):
    form = admin_client.get("/admin/experiments/experiment/add/").content.decode()
    assert "Spanish text:" in form and "Body es" not in form
