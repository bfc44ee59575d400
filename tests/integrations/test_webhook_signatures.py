"""The signature as docs/webhooks.md describes it, checked by a verifier written from that
description alone (not from the sender's code), and by the standardwebhooks library a CRM uses."""

import base64
import hashlib
import hmac
import time

import pytest
from standardwebhooks import Webhook, WebhookVerificationError

from leads import services as lead_services
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

TOLERANCE_SECONDS = 5 * 60


def verify_as_the_docs_say(secret: str, headers: dict, body: bytes) -> bool:
    """HMAC-SHA256, keyed with the base64-decoded part of the secret after `whsec_`, over
    `{webhook-id}.{webhook-timestamp}.{body}`, base64; the header lists `v1,<signature>` items
    separated by spaces. Timestamps more than five minutes off are refused."""
    if abs(time.time() - int(headers["webhook-timestamp"])) > TOLERANCE_SECONDS:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        version == "v1" and hmac.compare_digest(signature, expected)
        for version, _, signature in (item.partition(",") for item in headers["webhook-signature"].split())
    )


@pytest.fixture
def delivered(clock, receiver, subscribe, run_tasks):
    subscription = subscribe(receiver.url)
    with run_tasks():
        lead_services.lead_set_status(lead=LeadFactory(), status="nurturing", actor="system")
    [request] = receiver.acknowledged
    return subscription.secret, request.headers, request.body


def test_it_signs_as_the_documentation_describes(delivered):
    secret, headers, body = delivered
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    assert headers["webhook-signature"].startswith("v1,")
    assert verify_as_the_docs_say(secret, headers, body)


def test_a_tampered_body_or_another_secret_fails_verification(delivered):
    secret, headers, body = delivered
    assert not verify_as_the_docs_say(secret, headers, body.replace(b"nurturing", b"closed_won"))
    other = "whsec_" + base64.b64encode(b"x" * 32).decode()
    assert not verify_as_the_docs_say(other, headers, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body.replace(b"nurturing", b"closed_won"), headers)


def test_the_standardwebhooks_library_verifies_it(delivered):
    secret, headers, body = delivered
    assert Webhook(secret).verify(body, headers)["data"]["status"] == "nurturing"


def test_a_replayed_delivery_is_refused_after_five_minutes(delivered, clock):
    secret, headers, body = delivered
    clock.shift(6 * 60)
    assert not verify_as_the_docs_say(secret, headers, body)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(body, headers)
