"""SMS gateways behind one small interface, chosen by the SMS_BACKEND setting."""

import threading

from django.conf import settings

from conversations.gateways.base import GatewayError, SendReceipt, SmsGateway

# One gateway per thread and configuration: a Twilio client (its HTTP session and connection
# pool) costs more to build than a text costs to send.
_gateways = threading.local()


def get_gateway() -> SmsGateway:
    key = (
        settings.SMS_BACKEND,
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
        settings.TWILIO_API_BASE_URL,
    )
    if getattr(_gateways, "key", None) != key:
        _gateways.key, _gateways.gateway = key, _new_gateway()
    return _gateways.gateway


def _new_gateway() -> SmsGateway:
    if settings.SMS_BACKEND == "twilio":
        from conversations.gateways.twilio import TwilioGateway

        return TwilioGateway()
    from conversations.gateways.console import ConsoleGateway

    return ConsoleGateway()


def preload() -> None:
    """Import the configured gateway's SDK now. A worker cluster calls this before it forks its
    workers, which then share it: else each worker imports the twilio SDK's REST API (some
    25 ms of CPU) with its first text."""
    if settings.SMS_BACKEND == "twilio":
        from conversations.gateways.twilio import preload_sdk

        preload_sdk()


__all__ = ["GatewayError", "SendReceipt", "SmsGateway", "get_gateway", "preload"]
