"""Web Push with pywebpush against a local fake push service (what a browser vendor runs)."""

import base64
import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from routing import alerts
from routing.models import PushSubscription
from tests.fakes.http import FakeServer, Reply

pytestmark = pytest.mark.django_db


class FakePushService(FakeServer):
    def __init__(self):
        super().__init__()
        self.gone = False

    def handle(self, request):
        return Reply(410 if self.gone else 201)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture
def vapid(settings):
    key = Vapid()
    key.generate_keys()
    settings.VAPID_PRIVATE_KEY = b64(key.private_key.private_numbers().private_value.to_bytes(32, "big"))
    settings.VAPID_PUBLIC_KEY = b64(
        key.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


@pytest.fixture
def browser_subscription():
    """The keys a browser makes when it subscribes."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return {"p256dh": b64(public), "auth": b64(b"0123456789abcdef")}


def test_an_officer_subscribes_and_is_notified_on_a_reply(client, make_officer, vapid, browser_subscription):
    jane = make_officer()
    with FakePushService() as push:
        client.force_login(jane.user)
        subscription = {"endpoint": f"{push.url}/push/abc", "keys": browser_subscription}
        response = client.post(
            "/officer/push/subscribe/", json.dumps(subscription), content_type="application/json"
        )
        assert response.status_code == 201

        error = alerts.push_send(
            officer=jane, title="Maria L. texted you", body="Hello?", url="https://x/officer/"
        )

        assert error == ""
        [request] = push.requests
        assert request.path == "/push/abc"
        assert request.headers["content-encoding"] == "aes128gcm"  # encrypted for the browser
        assert request.headers["authorization"].startswith("vapid t=")
        assert b"Hello?" not in request.body


def test_a_subscription_the_browser_dropped_is_forgotten(make_officer, vapid, browser_subscription):
    jane = make_officer()
    with FakePushService() as push:
        push.gone = True
        PushSubscription.objects.create(
            officer=jane, endpoint=f"{push.url}/push/gone", **browser_subscription
        )
        alerts.push_send(officer=jane, title="t", body="b", url="https://x/")
    assert not PushSubscription.objects.exists()


def test_the_service_worker_is_served_for_the_officer_pages(client):
    response = client.get("/officer/sw.js")
    assert response["Content-Type"] == "application/javascript"
    assert response["Service-Worker-Allowed"] == "/officer/"
    assert b"showNotification" in response.content
