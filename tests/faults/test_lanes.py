"""Real gunicorn and both qcluster lanes on the test database, Twilio faked with scripted
faults: a slow carrier holding up the default lane (retries, nurture) never holds up a first
text or a reply, a STOP stops the nurture texts queued before it, a 429 is retried when
Twilio says, to the second."""

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
from django.utils import timezone
from django_q.models import Schedule

from conversations import services
from conversations.models import Kind, Message, MessageStatus, Sender
from tests import stack
from tests.factories import LeadFactory
from tests.faults.test_make_run import signed_inbound_params
from tests.faults.test_redis_lost import post_lead

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

NUDGE = "Still thinking about a home? Rates moved this week."


@pytest.fixture(scope="module")
def twilio():
    with stack.fake_twilio() as fake:
        yield fake


@pytest.fixture(scope="module")
def stack_up(tmp_path_factory, twilio, django_db_setup):
    """gunicorn and both lanes, shared by this module's tests (each leaves nothing in flight)."""
    with stack.services(stack.fault_env(twilio), tmp_path_factory.mktemp("lanes")) as base_url:
        yield base_url


@pytest.fixture(autouse=True)
def no_schedules(to_the_broker):
    """The every-minute schedules are gone (as after any flush of the test database): nothing in
    these tests is done by the sweeper or the dispatcher."""
    Schedule.objects.all().delete()


def nurture(phone: str) -> Message:
    """A nurture step queued as the dispatcher queues it (through send_sms, on the default lane)."""
    lead = LeadFactory(phone=phone, status="nurturing", first_contact_at=timezone.now())
    return services.send_sms(lead=lead, body=NUDGE, kind=Kind.NURTURE, sender=Sender.NURTURE).message


def arrived(numbers: list[str]):
    """A condition for FakeTwilio.wait_until: a request to each of these numbers came in."""
    return lambda fake: set(numbers) <= {arrival.to for arrival in fake.arrivals}


def settled(messages: list[Message]):
    """No longer queued or being sent."""
    in_flight = (MessageStatus.QUEUED, MessageStatus.SENDING)
    return lambda: not Message.objects.filter(pk__in=[m.pk for m in messages], status__in=in_flight).exists()


def text_us(base_url: str, phone: str, body: str) -> int:
    params, headers = signed_inbound_params(
        base_url, phone, body, f"SM{phone[1:]}{abs(hash(body)) % 10**9:020d}"
    )
    return stack.http(
        "POST", f"{base_url}/webhooks/twilio/sms/", body=urlencode(params).encode(), headers=headers
    )[0]


def test_a_first_text_and_a_reply_go_out_while_the_default_lane_is_stuck(stack_up, twilio, api_token):
    slow = ["+15125550191", "+15125550192"]  # Twilio hangs on these: both default-lane workers wait
    twilio_answers = twilio.hold(*slow)
    try:
        backlog = [nurture(phone) for phone in [*slow, *(f"+151255502{n:02d}" for n in range(6))]]
        assert twilio.wait_until(arrived(slow), timeout=30)
        talker = LeadFactory(phone="+15125550150", status="contacted", first_contact_at=timezone.now())

        assert post_lead(stack_up, api_token, "+15125550151")[0] == 201
        assert text_us(stack_up, talker.phone, "yes we are buying in the next month") == 200

        assert twilio.wait_until(
            lambda fake: fake.texts_to("+15125550151") and fake.texts_to(talker.phone), timeout=30
        )
        assert not twilio_answers.is_set()
        waiting = Message.objects.filter(pk__in=[m.pk for m in backlog], status=MessageStatus.QUEUED).count()
        assert waiting == len(backlog) - len(slow)  # still behind the slow carrier: a lane of their own
    finally:
        twilio_answers.set()
    stack.wait_until(settled(backlog), timeout=60)


def test_a_stop_stops_the_nurture_texts_queued_before_it(stack_up, twilio):
    slow = ["+15125550193", "+15125550194"]
    twilio_answers = twilio.hold(*slow)
    borrowers = [f"+151255503{n:02d}" for n in range(12)]
    try:
        blockers = [nurture(phone) for phone in slow]
        assert twilio.wait_until(arrived(slow), timeout=30)
        nudges = [nurture(phone) for phone in borrowers]  # queued behind the slow ones

        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(lambda phone: text_us(stack_up, phone, "STOP"), borrowers))
        assert statuses == [200] * len(borrowers)
    finally:
        twilio_answers.set()

    stack.wait_until(settled([*blockers, *nudges]), timeout=60)
    stack.wait_until(lambda: all(twilio.texts_to(phone) for phone in borrowers), timeout=30)
    for phone in borrowers:
        [confirmation] = twilio.texts_to(phone)  # and no nurture text
        assert "unsubscribed" in confirmation.body
    assert set(
        Message.objects.filter(pk__in=[m.pk for m in nudges]).values_list("error_code", flat=True)
    ) == {"opted_out"}


def test_a_429_is_retried_when_twilio_says_not_when_the_sweeper_comes(stack_up, twilio, api_token):
    phone = "+15125550161"
    twilio.fail_next(phone, status=429, code=20429, retry_after="2")

    assert post_lead(stack_up, api_token, phone)[0] == 201

    assert twilio.wait_until(lambda fake: fake.texts_to(phone), timeout=30), (
        "not retried (no sweeper runs here)"
    )
    first, second = [arrival for arrival in twilio.arrivals if arrival.to == phone]
    assert (first.status, second.status) == (429, 201)
    assert second.arrived_at - first.arrived_at >= 2.0
    greeting = Message.objects.filter(lead__phone=phone, kind=Kind.FIRST_CONTACT)
    stack.wait_until(lambda: greeting.filter(status=MessageStatus.SENT, attempts=2).exists(), timeout=10)
