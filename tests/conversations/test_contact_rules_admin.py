"""Ops tighten a state's window, or pause scheduled texts in an emergency, from the admin."""

import pytest

from conversations.models import ContactRule

pytestmark = pytest.mark.django_db


def test_it_ships_an_all_states_rule_carrying_the_global_pause():
    rule = ContactRule.objects.get(state="*")
    # Blank hours: the environment's default window, which ops may widen or narrow.
    assert (rule.start_hour, rule.end_hour, rule.paused) == (None, None, False)


def test_it_pauses_and_resumes_scheduled_texts_from_the_list(admin_client):
    everywhere = ContactRule.objects.get(state="*")
    url = "/admin/conversations/contactrule/"
    admin_client.post(
        url, {"action": "pause", "_selected_action": [everywhere.pk], "confirmed": "yes"}, follow=True
    )
    everywhere.refresh_from_db()
    assert everywhere.paused
    admin_client.post(url, {"action": "resume", "_selected_action": [everywhere.pk]}, follow=True)
    everywhere.refresh_from_db()
    assert not everywhere.paused
