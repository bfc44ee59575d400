"""A silent borrower's nudge waits for their contact window quietly: the sweeper runs every five
minutes, and each refusal would be a line on the timeline and in the consent record."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from conversations import services
from tests.conversations.test_qualification_conversation import converse, greeted_lead  # noqa: F401

pytestmark = pytest.mark.django_db

CENTRAL = ZoneInfo("America/Chicago")


def test_a_nudge_due_at_night_waits_for_the_morning_without_a_refusal_every_five_minutes(
    client,
    run_tasks,
    greeted_lead,  # noqa: F811
):
    evening = datetime(2026, 1, 13, 18, 0, tzinfo=CENTRAL)  # a Tuesday; Texas allows 09-21
    with time_machine.travel(evening, tick=False) as clock:
        lead = converse(client, run_tasks, greeted_lead, "buying")
        clock.shift(timedelta(hours=4))  # 22:00, four hours of silence: due, but the window is shut
        for _ in range(12):  # an hour of sweeper runs
            with run_tasks():
                assert services.conversation_nudge_silent() == {"nudged": 0, "unresponsive": 0}
            clock.shift(timedelta(minutes=5))
        assert not lead.events.filter(type="sms_blocked").exists()
        assert not lead.messages.filter(dedupe_key__startswith="nudge:").exists()

        clock.move_to(datetime(2026, 1, 14, 9, 0, tzinfo=CENTRAL))
        with run_tasks():
            assert services.conversation_nudge_silent() == {"nudged": 1, "unresponsive": 0}
    nudge = lead.messages.get(dedupe_key__startswith="nudge:")
    assert nudge.status == "sent"
    assert nudge.created_at == datetime(2026, 1, 14, 9, 0, tzinfo=CENTRAL)
