"""Ops text the borrower and give the lead to an officer from the lead's admin page."""

import pytest

from conversations.models import Message
from leads.models import Lead, LeadEvent
from tests.factories import LoanOfficerFactory, TextingLeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client):
    client.force_login(UserFactory(username="ops", is_staff=True, is_superuser=True))
    return client


def test_the_lead_page_offers_both_actions(ops):
    lead = TextingLeadFactory()
    page = ops.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    assert f'href="/admin/leads/lead/{lead.pk}/text/">Text the borrower' in page
    assert f'href="/admin/leads/lead/{lead.pk}/reassign/">Give to an officer' in page


def test_ops_text_a_borrower_once_however_often_the_form_is_sent(ops, run_tasks):
    lead = TextingLeadFactory()
    form = {"body": "Hi, this is Sam from the office: a loan officer will call you at 3.", "token": "t1"}
    with run_tasks():
        response = ops.post(f"/admin/leads/lead/{lead.pk}/text/", form, follow=True)
        ops.post(f"/admin/leads/lead/{lead.pk}/text/", form)
    assert "Text queued" in response.content.decode()
    [text] = Message.objects.filter(lead=lead)
    assert (text.sender, text.kind, text.status) == ("officer", "reply", "sent")
    assert LeadEvent.objects.get(lead=lead, type="staff_reply").actor == "admin:ops"


def test_a_text_to_an_opted_out_borrower_is_refused_with_the_reason(ops):
    lead = TextingLeadFactory(opted_out_at="2026-01-01T00:00:00Z")
    response = ops.post(f"/admin/leads/lead/{lead.pk}/text/", {"body": "Hello?", "token": "t2"}, follow=True)
    assert "Not sent: opted out." in response.content.decode()
    assert not Message.objects.filter(lead=lead).exists()


def test_ops_give_a_lead_to_a_licensed_officer(ops, run_tasks):
    lead = TextingLeadFactory(state="TX", status="qualified")
    texan = LoanOfficerFactory(name="Tex Ranger", licensed_states=["TX"])
    LoanOfficerFactory(name="Flo Rida", licensed_states=["FL"])
    page = ops.get(f"/admin/leads/lead/{lead.pk}/reassign/").content.decode()
    assert "Tex Ranger" in page and "Flo Rida" not in page
    with run_tasks():
        response = ops.post(f"/admin/leads/lead/{lead.pk}/reassign/", {"officer": texan.pk}, follow=True)
    assert "The lead is now Tex Ranger" in response.content.decode()
    lead.refresh_from_db()
    assert (lead.assigned_officer, lead.status) == (texan, "claimed")


def test_the_lead_page_lists_inquiries_without_offering_to_add_one(ops):
    lead = TextingLeadFactory()
    page = ops.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()
    # Django's inline script offers "Add another Inquiry" up to this many forms.
    assert 'name="inquiries-MAX_NUM_FORMS" value="0"' in page


def test_ops_add_a_lead_by_hand_from_the_leads_list(ops):
    assert ops.get("/admin/leads/lead/add/").status_code == 200
    form = {"first_name": "Walk", "last_name": "In", "phone": "+15125550177", "language": "en",
            "source": "other", "inquiries-TOTAL_FORMS": "0", "inquiries-INITIAL_FORMS": "0"}  # fmt: skip
    response = ops.post("/admin/leads/lead/add/", form, follow=True)
    assert "was added successfully" in response.content.decode()
    assert Lead.objects.get(phone="+15125550177").sms_consent is False  # consent comes with evidence
