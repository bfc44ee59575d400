from datetime import UTC, datetime
from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.factories import LeadFactory, LoanOfficerFactory, UserFactory
from tests.fakes.twilio_server import FakeTwilio

# A Wednesday, 10:00 in Texas: inside the borrower's contact window and Jane's hours.
WORKDAY_MORNING = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(WORKDAY_MORNING, tick=False)
    return time_machine


@pytest.fixture
def fake_twilio(settings):
    """The real twilio SDK pointed at a local fake of Twilio's REST API (Messages and Calls)."""
    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = fake.base_url
    settings.TWILIO_VOICE_NUMBER = "+15125550000"
    yield fake
    fake.stop()


@pytest.fixture
def jane(db):
    return LoanOfficerFactory(
        name="Jane Ramirez",
        mobile_phone="+17375550100",
        user=UserFactory(username="jane"),
        licensed_states=["TX"],
    )


@pytest.fixture
def maria(jane):
    return LeadFactory(
        first_name="Maria", last_name="Lopez", phone="+15125550142", state="TX", property_state="TX",
        loan_purpose="purchase", preapproved=True, status="claimed", assigned_officer=jane, ai_paused=True,
    )  # fmt: skip


@pytest.fixture
def twilio_post(client, settings):
    """POST to a webhook as Twilio does: urlencoded, signed over PUBLIC_BASE_URL + path."""

    def post(path: str, params: dict, *, signature: str | None = None):
        url = settings.PUBLIC_BASE_URL + path
        if signature is None:
            signature = RequestValidator("test-auth-token").compute_signature(url, params)
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return client.post(
            path, urlencode(params), content_type="application/x-www-form-urlencoded", headers=headers
        )

    return post
