"""Placing a call with the twilio SDK (pointed at TWILIO_API_BASE_URL like the SMS gateway)."""

import logging
import uuid
from dataclasses import dataclass

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from conversations.gateways.base import GatewayError
from conversations.gateways.twilio import classify, network_error

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CallReceipt:
    sid: str


@dataclass(frozen=True)
class CallOutcome:
    status: str  # Twilio's CallStatus: queued, ringing, in-progress, completed, busy, no-answer...


class TwilioVoice:
    def __init__(self):
        client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=TwilioHttpClient(timeout=10)
        )
        if settings.TWILIO_API_BASE_URL:
            client.api.base_url = settings.TWILIO_API_BASE_URL
        self.client = client

    def call(self, *, to: str, from_: str, url: str, status_callback: str) -> CallReceipt:
        if not from_:
            raise GatewayError(
                "Set TWILIO_VOICE_NUMBER (or TWILIO_FROM_NUMBER) to place calls.", permanent=True
            )
        try:
            call = self.client.calls.create(
                to=to,
                from_=from_,
                url=url,
                method="POST",
                status_callback=status_callback,
                status_callback_method="POST",
                status_callback_event=["initiated", "ringing", "answered", "completed"],
                timeout=25,
            )
        except TwilioRestException as error:
            raise classify(error.status, error.code, error.msg) from error
        except requests.RequestException as error:
            raise network_error(error) from error
        except TwilioException as error:
            raise GatewayError(f"Twilio client error: {error}", permanent=False) from error
        return CallReceipt(sid=call.sid)

    def outcome(self, sid: str) -> CallOutcome:
        """Where Twilio's call `sid` stands now (the officer's leg, the parent call)."""
        try:
            call = self.client.calls(sid).fetch()
        except TwilioRestException as error:
            raise classify(error.status, error.code, error.msg) from error
        except requests.RequestException as error:
            raise network_error(error) from error
        except TwilioException as error:
            raise GatewayError(f"Twilio client error: {error}", permanent=False) from error
        return CallOutcome(status=str(call.status))


class ConsoleVoice:
    """Local development: no phone rings; the call is logged and left for the developer to
    drive by posting the voice webhooks (signed with TWILIO_AUTH_TOKEN); the stale-call
    sweeper closes it after 10 minutes if nobody does."""

    def call(self, *, to: str, from_: str, url: str, status_callback: str) -> CallReceipt:
        sid = f"CAconsole{uuid.uuid4().hex[:23]}"
        logger.info("Console voice: would ring %s from %s; TwiML at %s (sid %s)", to, from_, url, sid)
        return CallReceipt(sid=sid)

    def outcome(self, sid: str) -> None:
        return None  # no phone rang: nobody can say how the call went


def get_voice():
    return TwilioVoice() if settings.SMS_BACKEND == "twilio" else ConsoleVoice()
