"""SMS gateways behind one small interface, chosen by the SMS_BACKEND setting."""

from django.conf import settings

from conversations.gateways.base import GatewayError, SendReceipt, SmsGateway


def get_gateway() -> SmsGateway:
    if settings.SMS_BACKEND == "twilio":
        from conversations.gateways.twilio import TwilioGateway

        return TwilioGateway()
    from conversations.gateways.console import ConsoleGateway

    return ConsoleGateway()


__all__ = ["GatewayError", "SendReceipt", "SmsGateway", "get_gateway"]
