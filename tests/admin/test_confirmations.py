"""Actions that stop texting ask first, say what will happen, and only then act."""

import pytest

from leads.models import Lead
from tests.factories import LeadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client):
    client.force_login(UserFactory(username="ops", is_staff=True, is_superuser=True))
    return client


def test_do_not_contact_asks_first_and_acts_once_confirmed(ops):
    lead = LeadFactory(first_name="Ana", last_name="Diaz")
    asked = ops.post(
        "/admin/leads/lead/", {"action": "mark_do_not_contact", "_selected_action": [str(lead.pk)]}
    )
    page = asked.content.decode()
    assert "These borrowers will never be texted again" in page and "Ana Diaz" in page
    assert 'name="confirmed" value="yes"' in page and "Yes, mark do-not-contact" in page
    assert not Lead.objects.get(pk=lead.pk).do_not_contact
    ops.post(
        "/admin/leads/lead/",
        {"action": "mark_do_not_contact", "_selected_action": [str(lead.pk)], "confirmed": "yes"},
    )
    assert Lead.objects.get(pk=lead.pk).do_not_contact


def test_an_opt_out_confirmation_carries_the_borrowers_words(ops):
    lead = LeadFactory()
    form = {
        "action": "record_opt_out",
        "_selected_action": [str(lead.pk)],
        "words": "please stop",
        "channel": "phone",
    }
    page = ops.post("/admin/leads/lead/", form).content.decode()
    assert "“please stop”" in page and 'name="words" value="please stop"' in page
    assert Lead.objects.get(pk=lead.pk).opted_out_at is None
