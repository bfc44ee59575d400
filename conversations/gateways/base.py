from dataclasses import dataclass


@dataclass(frozen=True)
class SendReceipt:
    provider_sid: str
    from_number: str = ""


class GatewayError(Exception):
    """A send that did not go through; `permanent` says whether trying again could help.

    `maybe_sent` means the provider may have taken the text before the line broke: sending it
    again could text the borrower twice, so the outbox leaves it for a person to review.
    `retry_after` is how many seconds the provider asked us to wait (HTTP 429 Retry-After)."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        code: str = "",
        maybe_sent: bool = False,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.maybe_sent = maybe_sent
        self.retry_after = retry_after


class SmsGateway:
    name = "base"

    def send(self, *, to: str, body: str, status_callback: str, timeout: float) -> SendReceipt:
        """Hand the text over, waiting at most `timeout` seconds for the provider's answer."""
        raise NotImplementedError
