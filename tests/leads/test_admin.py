import pytest

from tests.factories import LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client):
    return admin_client


def test_the_lead_page_shows_the_conversation_and_the_timeline(staff):
    lead = LeadFactory(first_name="Ana", last_name="Lopez")
    MessageFactory(lead=lead, body="Hi Ana, this is Acme Home Loans.")
    MessageFactory(
        lead=lead, direction="inbound", sender="borrower", status="received", body="buying in june"
    )
    lead.events.create(type="qualification_updated", description="timeline: 1_3_months")

    page = staff.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()

    assert "Hi Ana, this is Acme Home Loans." in page
    assert "buying in june" in page
    assert "timeline: 1_3_months" in page


def test_the_lead_list_searches_by_phone_and_filters_by_status(staff):
    LeadFactory(first_name="Findme", phone="+15125550177", status="qualified")
    LeadFactory(first_name="Quentin", status="nurturing")

    by_phone = staff.get("/admin/leads/lead/", {"q": "+15125550177"}).content.decode()
    by_status = staff.get("/admin/leads/lead/", {"status__exact": "nurturing"}).content.decode()

    assert "Findme" in by_phone and "Quentin" not in by_phone
    assert "Quentin" in by_status and "Findme" not in by_status


@pytest.mark.parametrize(
    "url",
    [
        "/admin/leads/inquiry/",
        "/admin/leads/leadevent/",
        "/admin/conversations/message/",
        "/admin/conversations/contactrule/",
        "/admin/integrations/apiclient/",
        "/admin/routing/loanofficer/",
    ],
)
def test_every_list_page_opens(staff, url):
    MessageFactory()

    assert staff.get(url).status_code == 200


def test_marking_do_not_contact_from_the_admin(staff):
    lead = LeadFactory(status="qualifying")

    staff.post(
        "/admin/leads/lead/",
        {"action": "mark_do_not_contact", "_selected_action": [str(lead.pk)], "confirmed": "yes"},
    )

    lead.refresh_from_db()
    assert lead.do_not_contact and lead.status == "do_not_contact"
