"""API_RATE_LIMIT holds for a client whose requests a load balancer spreads over several web
processes: two gunicorns on the test database, counting in the database, or in Redis (a
redis-server of the test's own) when REDIS_URL is set."""

from datetime import UTC, datetime

import pytest

from integrations.services import api_client_create
from tests import stack

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# A day's window (windows begin at midnight UTC): the requests fall in one, unless they run
# across midnight, when they are counted again with a new client (see share_one_limit).
LIMIT = "6/day"


def leads_list(base_url: str, token: str) -> int:
    return stack.http("GET", f"{base_url}/api/v1/leads/", headers={"Authorization": f"Token {token}"})[0]


def test_two_web_processes_share_one_clients_limit_in_the_database(tmp_path):
    assert share_one_limit(stack.service_env(API_RATE_LIMIT=LIMIT), tmp_path) == [200] * 6 + [429] * 2


def test_two_web_processes_share_one_clients_limit_in_redis(tmp_path):
    with stack.RedisServer(tmp_path) as redis_server:
        env = stack.service_env(API_RATE_LIMIT=LIMIT, REDIS_URL=redis_server.url)
        assert share_one_limit(env, tmp_path) == [200] * 6 + [429] * 2


def share_one_limit(env: dict, log_dir) -> list[int]:
    """A client's requests alternating between two web processes, as a load balancer sends
    them: 4 to each."""
    with (
        stack.services(env, log_dir, lanes=(), run=1) as first,
        stack.services(env, log_dir, lanes=(), run=2) as second,
    ):
        for attempt in range(2):
            token, window = api_client_create(name=f"Busy CRM {attempt}")[1], utc_day()
            statuses = [leads_list(base_url, token) for _ in range(4) for base_url in (first, second)]
            if utc_day() == window:
                return statuses
    raise AssertionError("the requests ran across midnight UTC twice")


def utc_day():
    return datetime.now(UTC).date()
