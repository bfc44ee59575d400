"""Stopping the worker the usual way loses nothing: SIGTERM to the whole process group
(systemd's default, a container runtime, a Procfile runner) lets the text being handed to
Twilio finish, and the cluster exits on its own."""

import os
import signal

import pytest

from conversations import services
from conversations.models import Kind, MessageStatus, Sender
from tests import stack
from tests.factories import TextingLeadFactory

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

STOP_SECONDS = 30


def test_sigterm_to_the_worker_process_group_finishes_the_text_being_sent(
    tmp_path, twilio, env, to_the_broker
):
    lead = TextingLeadFactory(phone="+15125550131")
    twilio_answers = twilio.hold(lead.phone)
    with stack.worker(env, tmp_path, lane="priority") as cluster:
        reply = services.send_sms(
            lead=lead, body="An officer will call you.", kind=Kind.REPLY, sender=Sender.AGENT
        )
        assert twilio.wait_until(lambda fake: fake.arrivals, timeout=30), stack.tail(
            tmp_path / "worker-priority-1.log"
        )

        os.killpg(cluster.pid, signal.SIGTERM)  # while the worker waits for Twilio's answer
        twilio_answers.set()

        assert cluster.wait(timeout=STOP_SECONDS) == 0
        with pytest.raises(ProcessLookupError):
            os.killpg(cluster.pid, 0)  # nothing of the cluster is left
    reply.message.refresh_from_db()
    assert reply.message.status == MessageStatus.SENT
    assert [text.to for text in twilio.accepted] == [lead.phone]
