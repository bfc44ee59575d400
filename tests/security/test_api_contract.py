"""What a CRM developer relies on, checked directly (the fuzzer in test_api_schema.py checks the
rest): lists are paginated objects, errors are JSON and documented, empty filters are refused."""

from datetime import UTC, datetime

import pytest
import yaml
from django.core.cache import cache
from rest_framework.test import APIClient

from conversations.devtools.processes import free_port
from integrations.models import ApiRequestCount
from integrations.services import api_client_create
from mortgage_sms.api import ClientRateThrottle
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return yaml.safe_load(client.get("/api/schema/").content)


def test_every_list_is_documented_as_the_paginated_object_it_is(schema, api):
    lists = {"/api/v1/leads/": "get", "/api/v1/leads/{id}/messages/": "get", "/api/v1/dnc/": "get",
             "/api/v1/webhooks/": "get", "/api/v1/leads/{id}/events/": "get"}  # fmt: skip
    for path, method in lists.items():
        ref = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]["schema"][
            "$ref"
        ]
        component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert {"count", "next", "previous", "results"} <= set(component["properties"]), path
    assert set(api.get("/api/v1/webhooks/").json()) == {"count", "next", "previous", "results"}


def test_every_operation_documents_the_errors_it_can_answer(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429", "503"} <= codes, (method, path)
            takes_input = any(p["in"] == "query" for p in operation.get("parameters", []))
            if "requestBody" in operation or takes_input:
                assert "400" in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
    assert "409" in schema["paths"]["/api/v1/leads/{id}/"]["patch"]["responses"]
    assert "422" in schema["paths"]["/api/v1/leads/"]["post"]["responses"]


def test_swaggers_authorize_says_what_to_paste(schema):
    scheme = schema["components"]["securitySchemes"]["tokenAuth"]

    assert (scheme["type"], scheme["in"], scheme["name"]) == ("apiKey", "header", "Authorization")
    assert "`Token <your token>`" in scheme["description"]


@pytest.mark.parametrize("query", ["updated_since=", "status=", "phone=", "status=hot", "stauts=qualified",
                                   "updated_since=2026-11-27T09:00", "page_size=0", "page_size=abc"])  # fmt: skip
def test_it_refuses_empty_malformed_and_unknown_filters(api, query):
    response = api.get(f"/api/v1/leads/?{query}")

    assert response.status_code == 400 and response["Content-Type"] == "application/json"


@pytest.mark.parametrize("debug", [False, True])
def test_a_lead_id_that_is_not_a_uuid_gets_a_json_404(api, settings, debug):
    settings.DEBUG = debug  # `make run` runs with DEBUG: no HTML debug page for the API either
    LeadFactory()
    for url in ["/api/v1/leads/42/", "/api/v1/leads/not-a-uuid/messages/", "/api/v1/webhooks/abc/"]:
        response = api.get(url)
        assert response.status_code == 404 and response.json() == {"detail": "Not found."}, url
    assert api.post("/api/v1/nothing/", {}).json() == {"detail": "Not found."}


def test_a_missing_trailing_slash_is_pointed_out(api):
    response = api.get("/api/v1/leads")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found. Did you mean /api/v1/leads/ (with the slash)?"}


@pytest.fixture
def three_a_minute(monkeypatch, time_machine):
    monkeypatch.setattr(ClientRateThrottle, "THROTTLE_RATES", {"client": "3/minute"})
    time_machine.move_to(datetime(2026, 12, 1, 15, 0, 20, tzinfo=UTC), tick=False)
    return time_machine


def test_a_client_over_its_rate_gets_a_429_with_retry_after(api, three_a_minute):
    answers = [api.get("/api/v1/leads/") for _ in range(4)]

    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1]["Retry-After"] == "40"  # the rest of the minute
    assert "throttled" in answers[-1].json()["detail"]


def test_the_count_lives_in_the_database_for_every_web_process_and_starts_again_each_minute(
    api, three_a_minute
):
    for _ in range(3):
        api.get("/api/v1/leads/")
    cache.clear()  # nothing this process keeps in memory counts

    assert api.get("/api/v1/leads/").status_code == 429
    assert ApiRequestCount.objects.get().count == 4
    three_a_minute.shift(40)
    assert api.get("/api/v1/leads/").status_code == 200
    assert ApiRequestCount.objects.get().count == 1  # the past minute's count is gone


def test_clients_are_counted_apart(api, three_a_minute):
    for _ in range(3):
        api.get("/api/v1/leads/")
    other = APIClient(HTTP_AUTHORIZATION=f"Token {api_client_create(name='Other CRM')[1]}")

    assert other.get("/api/v1/leads/").status_code == 200


def test_with_redis_unreachable_requests_are_not_refused(api, three_a_minute, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    assert [api.get("/api/v1/leads/").status_code for _ in range(4)] == [200] * 4
