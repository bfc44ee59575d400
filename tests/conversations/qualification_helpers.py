"""Shared by the qualification tests: a signed Twilio inbound text, the Claude settings."""

import itertools

from django.conf import settings
from twilio.request_validator import RequestValidator

from conversations.models import Direction, Message, Sender

_sids = itertools.count(1)
INBOUND_PATH = "/webhooks/twilio/sms/"
OUR_NUMBER = "+15125550000"


def text_in(client, phone: str, body: str, *, sid: str | None = None):
    """POST a borrower's text to the inbound webhook, signed as Twilio signs it."""
    params = {"From": phone, "To": OUR_NUMBER, "Body": body, "MessageSid": sid or f"SMtest{next(_sids):026d}"}
    signature = RequestValidator("test-auth-token").compute_signature(
        settings.PUBLIC_BASE_URL + INBOUND_PATH, params
    )
    response = client.post(INBOUND_PATH, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200, response.content
    return response


def agent_replies(lead) -> list[str]:
    return list(
        Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, sender=Sender.AGENT)
        .order_by("created_at")
        .values_list("body", flat=True)
    )


def last_reply(lead) -> str:
    return agent_replies(lead)[-1]


def use_claude(settings, fake, *, timeout: float = 5.0):
    settings.AI_BACKEND = "claude"
    settings.ANTHROPIC_API_KEY = "sk-ant-test"
    settings.ANTHROPIC_MODEL = "claude-test"
    settings.ANTHROPIC_BASE_URL = fake.url
    settings.ANTHROPIC_TIMEOUT_SECONDS = timeout
    settings.ANTHROPIC_MAX_RETRIES = 0
