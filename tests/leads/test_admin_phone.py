"""A lead's consent (and its opt-out) belong to its number: the admin cannot move them to
another one by editing the phone (the API refuses it too: a new number is a new inquiry)."""

import pytest

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_phone_of_a_stored_lead_cannot_be_edited_in_the_admin(admin_client):
    lead = LeadFactory(phone="+15125550100", sms_consent=True)

    page = admin_client.get(f"/admin/leads/lead/{lead.pk}/change/").content.decode()

    assert 'name="phone"' not in page
    assert "+15125550100" in page
    assert 'name="email"' in page  # other contact details are still corrected here


def test_a_lead_added_by_hand_is_given_its_phone(admin_client):
    page = admin_client.get("/admin/leads/lead/add/").content.decode()

    assert 'name="phone"' in page
