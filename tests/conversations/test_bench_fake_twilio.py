"""The benchmark's fake Twilio answers the real twilio SDK as Twilio does."""

import pytest

from conversations.devtools.fake_twilio import FakeTwilio
from conversations.gateways import GatewayError
from conversations.gateways.twilio import TwilioGateway


@pytest.fixture
def fake_twilio(settings):
    settings.SMS_BACKEND = "twilio"
    with FakeTwilio(account_sid=settings.TWILIO_ACCOUNT_SID, auth_token=settings.TWILIO_AUTH_TOKEN) as fake:
        settings.TWILIO_API_BASE_URL = fake.base_url
        yield fake


def test_it_accepts_a_text_from_the_twilio_gateway_and_records_its_arrival(fake_twilio, settings):
    receipt = TwilioGateway().send(
        to="+15125550142",
        body="Hi Rosa",
        status_callback="https://sms.example.com/webhooks/twilio/status/",
        timeout=5,
    )

    assert receipt.provider_sid.startswith("SM")
    [text] = fake_twilio.accepted
    assert (text.to, text.body, text.sid) == ("+15125550142", "Hi Rosa", receipt.provider_sid)
    assert text.params["MessagingServiceSid"] == settings.TWILIO_MESSAGING_SERVICE_SID
    assert fake_twilio.wait_for_numbers({"+15125550142"}, timeout=0) == set()


def test_it_rejects_wrong_credentials_as_twilio_does(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"

    with pytest.raises(GatewayError) as error:
        TwilioGateway().send(to="+15125550142", body="Hi", status_callback="", timeout=5)

    assert error.value.permanent
    assert fake_twilio.accepted == []
