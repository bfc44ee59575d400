"""What the API does with input meant to break it: a clear 4xx in JSON, never a 500."""

import pytest

from leads.models import Lead

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads/"


@pytest.mark.parametrize("depth", [21, 100_000])
def test_it_rejects_deeply_nested_json_with_a_400(api, depth):
    body = '{"first_name": "Ana", "phone": "5125550100", "x": ' + "[" * depth + "]" * depth + "}"

    response = api.generic("POST", LEADS, body, content_type="application/json")

    assert response.status_code == 400
    assert "nested deeper than 20 levels" in response.json()["detail"]
    assert not Lead.objects.exists()


def test_nesting_a_real_client_sends_is_fine(api):
    body = {"first_name": "Ana", "phone": "5125550100", "qualification": {"loan_purpose": "purchase"}}

    assert api.post(LEADS, body, format="json").status_code == 201


def test_it_takes_json_only(api):
    response = api.post(LEADS, {"first_name": "Ana", "phone": "5125550100"}, format="multipart")

    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]
    assert not Lead.objects.exists()
