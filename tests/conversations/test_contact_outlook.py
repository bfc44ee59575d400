"""The admin's "when may we text this lead" page: local time, the rules that apply, the next opening."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
CENTRAL = ZoneInfo("America/Chicago")


def outlook_page(client, lead) -> str:
    return client.get(f"/admin/conversations/contactrule/lead/{lead.pk}/").content.decode()


def test_it_tells_ops_a_texas_borrower_may_get_a_scheduled_text_at_noon_on_sunday(admin_client):
    lead = LeadFactory(state="TX", zip_code="78701", phone="+15125550142")
    with time_machine.travel(datetime(2026, 10, 18, 9, 30, tzinfo=CENTRAL), tick=False):
        page = outlook_page(admin_client, lead)
    assert "Sunday Oct 18, 09:30 CDT" in page
    assert "outside the borrower&#x27;s contact hours" in page
    assert "Sunday Oct 18, 12:00 CDT" in page
    assert "Tex. Bus. &amp; Com. Code § 301.051" in page and "checked 2026-12-01" in page
    assert "Sun Oct 18</td><td>12:00-21:00" in page


def test_it_says_never_for_a_borrower_who_opted_out(admin_client):
    lead = LeadFactory(state="TX", opted_out_at=datetime(2026, 10, 1, tzinfo=CENTRAL))
    assert "the borrower opted out" in outlook_page(admin_client, lead)


def test_the_lead_page_links_to_it(admin_client):
    lead = LeadFactory()
    page = admin_client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert f"/admin/conversations/contactrule/lead/{lead.pk}/" in page


def test_it_refuses_staff_who_may_not_see_leads(client, django_user_model):
    staff = django_user_model.objects.create_user("ops", password="pw-123456789", is_staff=True)
    client.force_login(staff)
    assert client.get(f"/admin/conversations/contactrule/lead/{LeadFactory().pk}/").status_code == 403


def test_ops_can_check_another_moment_in_the_borrowers_time(admin_client):
    lead = LeadFactory(state="TX", zip_code="78701", phone="+15125550142")
    page = admin_client.get(
        f"/admin/conversations/contactrule/lead/{lead.pk}/", {"at": "2026-10-18T12:30"}
    ).content
    assert "Planning ahead: as of Sunday Oct 18, 12:30 CDT" in page.decode()
    assert "Yes, now." in page.decode()
