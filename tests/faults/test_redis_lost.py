"""Losing Redis loses nothing. django-q2's Redis broker acknowledges nothing: a task in Redis
when it dies is gone, and none can be queued while it is down. Every piece of work is in the
database first, and the sweeper queues it again: first texts, borrowers' texts, the
assistant's replies to texts already handled. The API meanwhile answers for what it stored."""

import json
from datetime import timedelta
from urllib.parse import urlencode

import pytest
import redis
from django.utils import timezone
from django_q.models import Schedule

from conversations.models import Direction, Message
from leads.models import Lead
from tests import stack
from tests.factories import LeadFactory
from tests.faults.test_make_run import signed_inbound_params

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

BLOCKER = "+15125550160"  # the borrower whose first text Twilio is slow to take
TALKERS = [f"+1512555017{n}" for n in range(4)]  # borrowers in conversation who text back
WHILE_DOWN = ["+15125550181", "+15125550182"]  # inquiries posted while Redis is down


def post_lead(base_url: str, token: str, phone: str) -> tuple[int, dict]:
    body = {
        "first_name": "Ana",
        "phone": phone,
        "state": "TX",
        "sms_consent": True,
        "consent_text": "I agree.",
    }
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    status, _, content = stack.http(
        "POST", f"{base_url}/api/v1/leads/", body=json.dumps(body).encode(), headers=headers
    )
    return status, json.loads(content or b"{}")


def text_us(base_url: str, phone: str, body: str, sid: str) -> int:
    params, headers = signed_inbound_params(base_url, phone, body, sid)
    return stack.http(
        "POST", f"{base_url}/webhooks/twilio/sms/", body=urlencode(params).encode(), headers=headers
    )[0]


def run_the_sweeper_now() -> None:
    """What the every-minute schedule does; made due now so the test need not wait a minute."""
    Schedule.objects.update_or_create(
        name="Outbox sweeper",
        defaults={
            "func": "conversations.tasks.sweep_outbox",
            "schedule_type": Schedule.MINUTES,
            "minutes": 1,
            "repeats": -1,
            "next_run": timezone.now() - timedelta(seconds=1),
        },
    )


def test_killing_redis_loses_no_first_text_and_no_reply(tmp_path, twilio, env, api_token):
    for phone in TALKERS:
        LeadFactory(phone=phone, status="contacted", first_contact_at=timezone.now())
    with stack.RedisServer(tmp_path) as redis_server:
        # One priority worker, which waits for Twilio as long as Twilio is held.
        env = {
            **env,
            "REDIS_URL": redis_server.url,
            "Q_PRIORITY_WORKERS": "1",
            "SMS_FIRST_ATTEMPT_TIMEOUT_SECONDS": "60",
        }
        queue = redis.from_url(redis_server.url)
        with stack.services(env, tmp_path, lanes=()) as base_url:
            # The priority lane at work, slowed by Twilio, when Redis dies: a task is running,
            # two more are in the cluster's hands, the rest wait in Redis.
            twilio_answers = twilio.hold(BLOCKER)
            with stack.worker(env, tmp_path, lane="priority") as priority:
                assert post_lead(base_url, api_token, BLOCKER)[0] == 201
                assert twilio.wait_until(lambda fake: fake.arrivals, timeout=30)
                for n, phone in enumerate(TALKERS):
                    assert (
                        text_us(base_url, phone, "We want to buy a house this spring", f"SMtalk{n:026d}")
                        == 200
                    )
                # The cluster holds what its pusher took (at least one borrower's text); the rest waits.
                stack.wait_until(lambda: queue.llen("django_q:priority:q") <= len(TALKERS) - 1, timeout=30)
                priority.terminate()  # a deploy: it finishes what it holds, leaving its follow-ups in Redis
                twilio_answers.set()
                assert priority.wait(timeout=60) == 0
            redis_server.kill()

            handled_unanswered = Message.objects.filter(
                direction=Direction.INBOUND, to_assistant=True, agent_turn__isnull=True
            )
            assert handled_unanswered.count() >= 1  # their reply task died with Redis
            for phone in WHILE_DOWN:
                status, lead = post_lead(base_url, api_token, phone)
                assert status == 201, lead  # stored, so not a failure, though nothing could be queued
            status, headers, body = stack.http("GET", f"{base_url}/readyz")
            assert (status, headers.get("Retry-After")) == (503, "30")
            assert json.loads(body)["broker"]["status"].startswith("unreachable")

            redis_server.start()  # back, empty
            with stack.workers(env, tmp_path, run=2):
                run_the_sweeper_now()
                everyone = [BLOCKER, *TALKERS, *WHILE_DOWN]
                stack.wait_until(
                    lambda: all(twilio.texts_to(phone) for phone in everyone),
                    timeout=60,
                    message=stack.tail(tmp_path / "worker-default-2.log"),
                )
                assert stack.http("GET", f"{base_url}/readyz")[0] == 200

    assert {phone: len(twilio.texts_to(phone)) for phone in everyone} == dict.fromkeys(everyone, 1)
    assert not Lead.objects.filter(status="new").exists()
    for phone in TALKERS:
        [reply] = twilio.texts_to(phone)
        assert "STOP" not in reply.body  # the assistant's answer, not a greeting
