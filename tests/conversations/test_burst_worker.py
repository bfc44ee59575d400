"""A burst through the real django-q2 worker (`qcluster`): answered once, and no worker held
while the burst window passes (each text's turn is scheduled for the end of its window)."""

import time
from datetime import timedelta

import pytest
from django_q.models import Task

from conversations import services
from conversations.models import AgentTurn, Direction, Message, Sender
from tests.conversations import test_first_contact_worker as real_worker
from tests.factories import LeadFactory

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
worker, enqueue_for_the_worker = real_worker.worker, real_worker.enqueue_for_the_worker


def replies(lead):
    return list(
        Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, sender=Sender.AGENT).values_list(
            "body", flat=True
        )
    )


def test_a_burst_is_answered_once_by_the_real_worker_which_never_sleeps_through_it(
    enqueue_for_the_worker, worker, settings
):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    lead = LeadFactory(first_name="Ana", state="TX", phone="+15125550142", status="contacted")
    for number, body in enumerate(["hey", "we want to refi"]):
        services.inbound_receive(
            from_number=lead.phone, to_number="+15125550000", body=body, provider_sid=f"SMburstworker{number}"
        )
        # The borrower types the second text a second later: the worker runs on the real clock
        # in its own process, which no test can freeze. No assertion waits on time.
        time.sleep(1)

    answered = real_worker.wait_for(
        lambda: replies(lead) and AgentTurn.objects.count() == 2,
        deadline_seconds=real_worker.DEADLINE_SECONDS,
    )
    assert answered, f"no answer; worker log:\n{worker()}"
    # Both turns' tasks have finished (and stored their results): no answer can come after this.
    runs = Task.objects.filter(func="conversations.tasks.take_agent_turn")
    finished = real_worker.wait_for(lambda: runs.count() == 2, deadline_seconds=real_worker.DEADLINE_SECONDS)
    assert finished, f"a turn's task never finished; worker log:\n{worker()}"
    [reply] = replies(lead)
    assert "A refinance, got it." in reply  # "hey" and "we want to refi", answered together
    assert sorted(AgentTurn.objects.values_list("outcome", flat=True)) == ["absorbed", "answered"]
    # Each text's turn ran once, when its window was over (scheduled, not a worker waiting in
    # it): the first left the answer to the second.
    assert sorted(task.result for task in runs) == ["answered", "quiet"]
    first_text = Message.objects.get(provider_sid="SMburstworker0")
    assert min(task.started for task in runs) >= first_text.created_at + timedelta(seconds=3)
