"""An API request is answered only for a known, active client's token (read as plain SQL)."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from integrations.models import ApiClient
from integrations.services import api_client_create
from mortgage_sms.scopes import Scope

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 1, 17, 0, tzinfo=UTC)


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_an_unknown_token_is_refused():
    api_client_create(name="CRM")
    response = client_with("msms_not-a-token-we-issued").get("/api/v1/leads/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_a_deactivated_clients_token_is_refused():
    client, token = api_client_create(name="CRM")
    assert client_with(token).get("/api/v1/leads/").status_code == 200

    ApiClient.objects.filter(pk=client.pk).update(active=False)
    response = client_with(token).get("/api/v1/leads/")

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


def test_the_clients_scopes_are_read_from_its_row():
    _, token = api_client_create(name="Web form", scopes=[Scope.LEADS_CREATE])

    assert client_with(token).get("/api/v1/leads/").status_code == 403
    posted = client_with(token).post("/api/v1/leads/", {"phone": "512-555-0100"}, format="json")
    assert posted.status_code == 201
    assert set(posted.json()) == {"id", "not_texted_reason"}  # a receipt: no leads:read scope


def test_last_used_is_stamped_at_most_once_a_minute(time_machine):
    time_machine.move_to(NOON, tick=False)
    client, token = api_client_create(name="CRM")
    api = client_with(token)

    api.get("/api/v1/leads/")
    client.refresh_from_db()
    assert client.last_used_at == NOON

    time_machine.move_to(NOON + timedelta(seconds=30), tick=False)
    api.get("/api/v1/leads/")
    client.refresh_from_db()
    assert client.last_used_at == NOON

    time_machine.move_to(NOON + timedelta(seconds=61), tick=False)
    api.get("/api/v1/leads/")
    client.refresh_from_db()
    assert client.last_used_at == NOON + timedelta(seconds=61)
