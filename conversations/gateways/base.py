from dataclasses import dataclass


@dataclass(frozen=True)
class SendReceipt:
    provider_sid: str
    from_number: str = ""


class GatewayError(Exception):
    """A send that did not go through; `permanent` says whether trying again could help."""

    def __init__(self, message: str, *, permanent: bool, code: str = ""):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code


class SmsGateway:
    name = "base"

    def send(self, *, to: str, body: str, status_callback: str) -> SendReceipt:
        raise NotImplementedError
