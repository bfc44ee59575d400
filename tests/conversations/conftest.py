from urllib.parse import urlencode

import pytest
from twilio.request_validator import RequestValidator

from tests.fakes.twilio_server import FakeTwilio, refused_base_url


@pytest.fixture
def fake_twilio(settings):
    """The twilio gateway switched on and pointed at a local fake of Twilio's REST API."""
    fake = FakeTwilio().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = fake.base_url
    yield fake
    fake.stop()


@pytest.fixture
def unreachable_twilio(settings):
    """The twilio gateway pointed at a port where nothing listens."""
    url, holder = refused_base_url()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = url
    yield url
    holder.close()


TWILIO_AUTH_TOKEN = "test-auth-token"  # what tests/conftest.py configures


@pytest.fixture
def twilio_post(client, settings):
    """POST a form to one of our Twilio webhooks as Twilio does: urlencoded, signed with the
    auth token over PUBLIC_BASE_URL + path (pass `signature` to send another one)."""

    def post(path: str, params: dict, *, signature: str | None = None):
        url = settings.PUBLIC_BASE_URL + path
        if signature is None:
            signature = RequestValidator(TWILIO_AUTH_TOKEN).compute_signature(url, params)
        headers = {"X-Twilio-Signature": signature} if signature else {}
        return client.post(
            path, urlencode(params), content_type="application/x-www-form-urlencoded", headers=headers
        )

    return post
