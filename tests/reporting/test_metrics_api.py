"""GET /api/v1/metrics/ on the hand-built week."""

from rest_framework.test import APIClient

from integrations.services import api_client_create


def test_it_serves_the_funnel_for_leads_created_in_the_range(week, api):
    response = api.get("/api/v1/metrics/?since=2026-03-02&until=2026-03-08")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("leads", "texted", "replied", "qualified", "offered", "claimed", "won", "lost", "opted_out")} == {
        "leads": 5, "texted": 4, "replied": 3, "qualified": 3, "offered": 2, "claimed": 2, "won": 1, "lost": 1,
        "opted_out": 1,
    }  # fmt: skip
    assert body["speed_to_lead_seconds"] == {"p50": 3.0, "p95": 9.1}
    assert body["by_source"][1] == {
        "source": "web", "leads": 2, "texted": 2, "replied": 2, "qualified": 2, "claimed": 2, "won": 1,
    }  # fmt: skip
    assert [row["source"] for row in body["by_source"]] == ["paid", "web", "referral"]


def test_a_range_without_leads_has_zeros_and_no_speed(week, api):
    body = api.get("/api/v1/metrics/?since=2025-01-01&until=2025-01-31").json()
    assert (body["leads"], body["by_source"], body["speed_to_lead_seconds"]) == (
        0,
        [],
        {"p50": None, "p95": None},
    )


def test_one_day_is_a_range(week, api):
    assert api.get("/api/v1/metrics/?since=2026-03-02&until=2026-03-02").json()["leads"] == 2


def test_it_rejects_bad_dates_with_a_message(week, api):
    assert "since" in api.get("/api/v1/metrics/?since=03/02/2026").json()
    assert api.get("/api/v1/metrics/?since=2026-03-09&until=2026-03-02").status_code == 400
    assert api.get("/api/v1/metrics/?since=2020-01-01&until=2026-03-02").status_code == 400


def test_it_needs_a_token(db):
    assert APIClient().get("/api/v1/metrics/").status_code == 401


def test_it_needs_the_metrics_scope(db):
    _, token = api_client_create(name="Web form", scopes=["leads:create"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    refused = client.get("/api/v1/metrics/")
    assert refused.status_code == 403 and "metrics:read" in refused.json()["detail"]


def test_the_schema_documents_every_answer(client, db):
    schema = client.get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/metrics/"]["get"]
    # 429 and 503 are documented on every operation (mortgage_sms/schema.py)
    assert set(operation["responses"]) == {"200", "400", "401", "403", "429", "503"}
    assert {p["name"] for p in operation["parameters"]} == {"since", "until"}
