"""Deleting a lead (a privacy request, a clean-up in the admin) must not delete the borrower's
"stop": the number stays on the do-not-contact list, so a later form with the same phone is
stored but never texted."""

import pytest

from conversations.models import Direction, Message
from leads import services as lead_services
from leads.models import DoNotContactNumber, Lead
from tests.factories import LeadFactory
from tests.leads.test_consent_and_dnc import LEADS, lead_body

pytestmark = pytest.mark.django_db

PHONE = "+15125550100"


def test_a_deleted_opted_out_lead_leaves_its_number_on_the_do_not_contact_list(admin_client, api, run_tasks):
    lead = LeadFactory(phone=PHONE)
    lead_services.lead_opt_out(lead=lead, words="STOP")

    response = admin_client.post(f"/admin/leads/lead/{lead.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()
    entry = DoNotContactNumber.objects.get(phone=PHONE)
    assert entry.source == "opt-out"
    assert "opted out" in entry.reason and "'STOP'" in entry.reason
    with run_tasks():
        answer = api.post(LEADS, lead_body(), format="json").json()
    assert answer["not_texted_reason"] == "dnc_list"
    assert not Message.objects.filter(to_number=PHONE, direction=Direction.OUTBOUND).exists()


def test_a_deleted_do_not_contact_lead_does_too_and_an_ordinary_one_does_not(admin_client):
    blocked, ordinary = LeadFactory(phone=PHONE), LeadFactory(phone="+15125550101")
    lead_services.lead_mark_do_not_contact(lead=blocked, actor="api:crm", reason="Asked by phone")

    admin_client.post(
        "/admin/leads/lead/",
        {"action": "delete_selected", "post": "yes", "_selected_action": [blocked.pk, ordinary.pk]},
    )

    assert not Lead.objects.exists()
    assert list(DoNotContactNumber.objects.values_list("phone", flat=True)) == [PHONE]
