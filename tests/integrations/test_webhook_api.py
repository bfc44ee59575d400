import pytest
from rest_framework.test import APIClient

from integrations import safe_http
from integrations.models import WebhookSubscription
from integrations.services import api_client_create

pytestmark = pytest.mark.django_db

PUBLIC_URL = "https://8.8.8.8/hooks/msms"


def test_it_subscribes_and_shows_the_secret_once(api):
    response = api.post("/api/v1/webhooks/", {"url": PUBLIC_URL, "events": ["lead.created", "message.received"]},
                        format="json")  # fmt: skip

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["secret"].startswith("whsec_")
    assert body["events"] == ["lead.created", "message.received"] and body["active"] is True
    listed = api.get("/api/v1/webhooks/").json()["results"]  # a list is a paginated object
    assert [s["id"] for s in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in api.get(f"/api/v1/webhooks/{body['id']}/").json()


def test_it_rejects_unknown_events_and_bad_urls_and_stores_nothing(api):
    cases = [
        {"url": PUBLIC_URL, "events": ["lead.deleted"]},
        {"url": PUBLIC_URL, "events": []},
        {"url": "not a url", "events": ["lead.created"]},
        {"url": "ftp://8.8.8.8/x", "events": ["lead.created"]},
    ]
    for body in cases:
        response = api.post("/api/v1/webhooks/", body, format="json")
        assert response.status_code == 400, body
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hooks",
        "https://localhost:8443/hooks",
        "https://10.0.0.7/hooks",
        "https://192.168.1.20/hooks",
        "https://172.16.5.4/hooks",
        "https://169.254.169.254/latest/meta-data/",
        "https://100.64.0.1/hooks",
        "https://0.0.0.0/hooks",
        "https://[::1]/hooks",
        "https://[fd00::1]/hooks",
        "https://[::ffff:127.0.0.1]/hooks",
        "https://240.0.0.1/hooks",
        # IPv6 forms that wrap an internal IPv4 address: NAT64, 6to4, IPv4-compatible.
        "https://[64:ff9b::a9fe:a9fe]/latest/meta-data/",
        "https://[64:ff9b::7f00:1]/hooks",
        "https://[64:ff9b::a00:7]/hooks",
        "https://[2002:7f00:1::]/hooks",
        "https://[2002:c0a8:114::1]/hooks",
        "https://[::127.0.0.1]/hooks",
        "https://[::a9fe:a9fe]/hooks",
        "https://[::8.8.8.8]/hooks",
        # Local-use NAT64 and Teredo carry addresses we cannot check: refused whole.
        "https://[64:ff9b:1::a9fe:a9fe]/hooks",
        "https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks",
    ],
)
def test_it_refuses_loopback_private_link_local_and_reserved_addresses(api, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = api.post("/api/v1/webhooks/", {"url": url, "events": ["lead.created"]}, format="json")

    assert response.status_code == 400
    assert "public addresses only" in response.json()["url"][0]
    assert not WebhookSubscription.objects.exists()


@pytest.mark.parametrize("url", ["https://[64:ff9b::808:808]/hooks", "https://[2002:808:808::1]/hooks"])
def test_it_accepts_ipv6_forms_of_a_public_ipv4_address(settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False

    assert safe_http.resolve_url(url).addresses == (url.split("[")[1].split("]")[0],)


def test_it_refuses_plain_http_outside_development(api, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = api.post("/api/v1/webhooks/", {"url": "http://8.8.8.8/hooks", "events": ["lead.created"]},
                        format="json")  # fmt: skip
    assert response.status_code == 400 and "https" in response.json()["url"][0]


def test_it_refuses_to_subscribe_the_same_url_twice(api):
    first = api.post("/api/v1/webhooks/", {"url": PUBLIC_URL, "events": ["lead.created"]}, format="json")
    again = api.post("/api/v1/webhooks/", {"url": PUBLIC_URL, "events": ["lead.updated"]}, format="json")

    assert again.status_code == 409
    assert str(first.json()["id"]) in again.json()["url"][0]


def test_a_client_sees_and_deletes_only_its_own_subscriptions(api):
    _, other_token = api_client_create(name="Other CRM")
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {other_token}")
    mine = api.post(
        "/api/v1/webhooks/", {"url": PUBLIC_URL, "events": ["lead.created"]}, format="json"
    ).json()

    assert other.get("/api/v1/webhooks/").json()["results"] == []
    assert other.get(f"/api/v1/webhooks/{mine['id']}/").status_code == 404
    assert other.delete(f"/api/v1/webhooks/{mine['id']}/").status_code == 404
    assert api.delete(f"/api/v1/webhooks/{mine['id']}/").status_code == 204
    assert not WebhookSubscription.objects.exists()


def test_it_needs_a_token(db):
    response = APIClient().post(
        "/api/v1/webhooks/", {"url": PUBLIC_URL, "events": ["lead.created"]}, format="json"
    )
    assert response.status_code in (401, 403)


def test_the_api_schema_documents_the_webhooks_endpoint(api):
    schema = api.get("/api/schema/").content.decode()
    assert "/api/v1/webhooks/" in schema and "whsec_" in schema
