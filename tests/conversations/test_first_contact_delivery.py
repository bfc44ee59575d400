"""The greeting task delivers the first text itself; the delivery it also queued must not text twice."""

import pytest

from conversations.devtools.fake_twilio import FakeTwilio
from conversations.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def twilio(settings):
    settings.SMS_BACKEND = "twilio"
    with FakeTwilio(account_sid=settings.TWILIO_ACCOUNT_SID, auth_token=settings.TWILIO_AUTH_TOKEN) as fake:
        settings.TWILIO_API_BASE_URL = fake.base_url
        yield fake


def test_it_texts_a_new_lead_exactly_once(api, run_tasks, twilio):
    with run_tasks():
        response = api.post(
            "/api/v1/leads/",
            {"first_name": "Ana", "phone": "(512) 555-0100", "sms_consent": True, "consent_text": "I agree"},
            format="json",
        )

    assert response.status_code == 201, response.json()
    [text] = twilio.accepted
    assert text.to == "+15125550100"
    message = Message.objects.get()
    assert (message.status, message.provider_sid, message.attempts) == ("sent", text.sid, 1)
