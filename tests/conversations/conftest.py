import pytest

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
