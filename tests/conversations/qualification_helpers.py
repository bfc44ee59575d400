"""Shared by the qualification tests: a signed Twilio inbound text, the Claude settings."""

import itertools

from django.conf import settings
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from twilio.request_validator import RequestValidator

from conversations.models import AgentTurn, Direction, Message, Sender

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
    """The assistant's texts in order. Under a frozen clock they are stamped alike: then by the
    number of the turn that sent each one (the greeting, sent by no turn, first)."""
    # Turns absorbed into a burst's answer share its reply but have no number.
    sent_by_turn = AgentTurn.objects.filter(reply_message=OuterRef("pk"), number__isnull=False).values(
        "number"
    )[:1]
    return list(
        Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, sender=Sender.AGENT)
        .annotate(turn=Coalesce(Subquery(sent_by_turn), Value(0)))
        .order_by("created_at", "turn")
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
