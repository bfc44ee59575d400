"""API_RATE_LIMIT holds for a client whose requests a load balancer spreads over several web
processes: two gunicorns on the test database, counting in the database, or in Redis (a
redis-server of the test's own) when REDIS_URL is set."""

import pytest

from integrations.services import api_client_create
from tests import stack

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

# A day's window: the test cannot straddle two windows (unless it runs across midnight UTC).
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
    token = api_client_create(name="Busy CRM")[1]
    with (
        stack.services(env, log_dir, lanes=(), run=1) as first,
        stack.services(env, log_dir, lanes=(), run=2) as second,
    ):
        return [leads_list(base_url, token) for _ in range(4) for base_url in (first, second)]
