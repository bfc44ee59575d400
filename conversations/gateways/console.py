import logging
import uuid

from conversations.gateways.base import SendReceipt, SmsGateway

logger = logging.getLogger("conversations.sms")


class ConsoleGateway(SmsGateway):
    """Logs the text instead of sending it: for `make run`, the simulator and tests."""

    name = "console"

    def send(self, *, to: str, body: str, status_callback: str, timeout: float) -> SendReceipt:
        sid = f"CONSOLE{uuid.uuid4().hex}"
        logger.info("SMS to %s (%s): %s", to, sid, body)
        return SendReceipt(provider_sid=sid, from_number="console")
