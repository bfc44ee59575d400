import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from integrations.services import api_client_create

TWILIO_AUTH_TOKEN = "test-auth-token"
TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_MESSAGING_SERVICE_SID = "MG" + "0" * 32


@pytest.fixture(autouse=True)
def _defaults(settings, tmp_path):
    """Every test starts from the embedded defaults, whatever the developer's .env says."""
    settings.SMS_BACKEND = "console"
    settings.AI_BACKEND = "scripted"
    settings.TWILIO_AUTH_TOKEN = TWILIO_AUTH_TOKEN
    settings.TWILIO_ACCOUNT_SID = TWILIO_ACCOUNT_SID
    settings.TWILIO_MESSAGING_SERVICE_SID = TWILIO_MESSAGING_SERVICE_SID
    settings.TWILIO_FROM_NUMBER = ""
    settings.PUBLIC_BASE_URL = "https://sms.example.com"
    settings.COMPANY_NAME = "Acme Home Loans"
    settings.COMPANY_NMLS_ID = "123456"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    # CRM connectors cache their tokens by integration id, and SQLite reuses a rolled-back row's
    # id: an earlier test's token must not be the next test's.
    cache.clear()


@pytest.fixture
def api_token(db):
    _, token = api_client_create(name="Test CRM")
    return token


@pytest.fixture
def api(api_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token}")
    return client


@pytest.fixture
def run_tasks(django_capture_on_commit_callbacks):
    """`with run_tasks():` runs what the block queued on commit, as the worker would
    (django-q2 runs in sync mode in tests, after its own pickle round trip)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
