"""The API against its own schema: schemathesis (a fuzzer no one here wrote) generates requests
from the live `/api/schema/`, valid and invalid, and runs every check it has on the answers: no
5xx, every status code, header, content type and body as documented, invalid input refused,
valid input accepted, no answer without a token. Fixed seed: the same requests every run."""

from datetime import UTC, datetime

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS

from integrations.services import api_client_create
from mortgage_sms.wsgi import application

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]


# The schema's own formats, which a generator cannot know: what valid values look like.
PATH = st.text("abcxyz0123/", max_size=20)
US_PHONE = st.builds(
    "({}) {}-{:04d}".format,
    st.sampled_from(["512", "737", "214", "305", "212", "415"]),
    st.sampled_from(["555", "867", "234", "420"]),
    st.integers(0, 9999),
)
PUBLIC_HTTPS_URL = st.builds(
    "https://{}/{}".format,
    st.sampled_from(["8.8.8.8", "1.1.1.1", "9.9.9.9"]),
    PATH,
)
WEB_URL = st.builds(
    "https://{}.example.com/{}".format,
    st.from_regex(r"\A[a-z]{1,20}\Z"),
    PATH,
)
PAST = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2025, 1, 1), timezones=st.just(UTC))
schemathesis.openapi.format("past-date-time", PAST.map(datetime.isoformat))
# A date and time without its offset (taken as UTC), as datetime.utcnow().isoformat() writes it.
schemathesis.openapi.format("utc-date-time", st.datetimes().map(datetime.isoformat))
schemathesis.openapi.format("phone", US_PHONE)
schemathesis.openapi.format("web-url", WEB_URL)
schemathesis.openapi.format("https-url", PUBLIC_HTTPS_URL)

# Valid parameters that break a rule between parameters, which OpenAPI has no way to say: there
# a 400 for schema-valid input is right, so that one check (valid data accepted) is left out.
RULES_THE_SCHEMA_CANNOT_STATE = {"GET /api/v1/metrics/": "a range is at most 1,098 days (since..until)"}

# The schema as the running application serves it (no database needed to serve it).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@pytest.fixture
def token(db):
    # The app is called as a WSGI server would; like Django's test client, keep the test's
    # database connection (and its transaction) open between requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield api_client_create(name="Schemathesis")[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_does_what_its_schema_says(case, token):
    checks = CHECKS.get_all()
    if case.operation.label in RULES_THE_SCHEMA_CANNOT_STATE:
        checks = [check for check in checks if check.__name__ != "positive_data_acceptance"]
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=checks)
