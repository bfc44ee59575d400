"""With the database down, the API and the Twilio webhooks answer a JSON 503 with Retry-After
(integrators and Twilio retry it), not Django's HTML "Server Error (500)"; /readyz says why and
/healthz still answers; and once the database is back, requests succeed again by themselves.
The database is a PostgreSQL cluster of the test's own, stopped as a crash would stop it."""

import json
from urllib.parse import urlencode

import pytest

from conversations.devtools.processes import manage
from tests import stack
from tests.faults.test_make_run import signed_inbound_params
from tests.faults.test_redis_lost import post_lead

pytestmark = pytest.mark.faults


@pytest.fixture
def postgres():
    cluster = stack.PostgresCluster().init()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def test_with_the_database_down_every_request_gets_a_json_503_with_retry_after(tmp_path, postgres):
    env = stack.service_env(DATABASE_URL=postgres.url())
    manage("migrate", "--noinput", env=env, log_path=tmp_path / "setup.log")
    token = (
        manage("create_api_client", "CRM", env=env, log_path=tmp_path / "setup.log").strip().splitlines()[-1]
    )
    with stack.services(env, tmp_path, lanes=()) as base_url:
        assert post_lead(base_url, token, "+15125550140")[0] == 201

        postgres.stop()

        status, body = post_lead(base_url, token, "+15125550141")
        assert status == 503 and "Retry later" in body["detail"]
        params, headers = signed_inbound_params(base_url, "+15125550142", "Hi", "SM" + "e" * 32)
        status, headers, content = stack.http(
            "POST", f"{base_url}/webhooks/twilio/sms/", body=urlencode(params).encode(), headers=headers
        )
        assert (status, headers["Retry-After"], headers["Content-Type"]) == (503, "30", "application/json")
        status, headers, content = stack.http("GET", f"{base_url}/readyz")
        assert (status, headers["Retry-After"]) == (503, "30")
        assert json.loads(content)["database"].startswith("unreachable")
        assert stack.http("GET", f"{base_url}/healthz")[0] == 200

        postgres.start()

        assert post_lead(base_url, token, "+15125550141")[0] == 201
        assert stack.http("GET", f"{base_url}/readyz")[0] == 200
