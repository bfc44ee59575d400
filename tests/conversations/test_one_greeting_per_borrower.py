"""One greeting per borrower, however many inquiries race in: a form double-submitted, an
aggregator re-posting, each with or without an Idempotency-Key."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from conversations.models import Kind, Message
from leads.models import Lead

pytestmark = pytest.mark.django_db(transaction=True)

POSTS_PER_PHONE = 8


def post_at_once(token: str, bodies_and_keys: list[tuple[dict, str]]) -> list[int]:
    """POST every body at the same moment from its own thread (its own database connection);
    each request's tasks run inline as its transaction commits, as concurrently as workers."""
    start = threading.Barrier(len(bodies_and_keys))
    codes = []

    def post(body: dict, key: str):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        headers = {"Idempotency-Key": key} if key else {}
        start.wait()
        try:
            codes.append(client.post("/api/v1/leads/", body, format="json", headers=headers).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=pair) for pair in bodies_and_keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return codes


def inquiry(phone: str) -> dict:
    return {
        "first_name": "Ana",
        "phone": phone,
        "state": "TX",
        "sms_consent": True,
        "consent_text": "I agree to receive texts from Acme Home Loans.",
    }


@pytest.mark.parametrize("keys", ["none", "different"])
def test_concurrent_inquiries_from_one_phone_get_one_greeting(api_token, keys):
    phones = ["+15125550101", "+15125550102"]
    posts = [
        (inquiry(phone), f"{phone}-{n}" if keys == "different" else "")
        for phone in phones
        for n in range(POSTS_PER_PHONE)
    ]

    codes = post_at_once(api_token, posts)

    assert sorted(codes) == [200] * (len(posts) - len(phones)) + [201] * len(phones)
    for phone in phones:
        lead = Lead.objects.get(phone=phone)
        assert lead.inquiries.count() == POSTS_PER_PHONE
        assert Message.objects.filter(lead=lead, kind=Kind.FIRST_CONTACT).count() == 1, phone
        assert lead.status == "contacted"
