import os
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from twilio.base.exceptions import TwilioException, TwilioRestException, TwilioServiceException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from urllib3.exceptions import NewConnectionError

from conversations.gateways.base import GatewayError, SendReceipt, SmsGateway

# Twilio error codes that no retry will fix (https://www.twilio.com/docs/api/errors).
PERMANENT_ERROR_CODES = {
    21211,  # invalid 'To' number
    21408,  # region not enabled
    21610,  # recipient replied STOP
    21612,  # 'To' cannot be reached from this 'From'
    21614,  # not a mobile number
    21606,  # 'From' cannot send SMS
    21617,  # body too long
    30003,  # unreachable handset
    30004,  # message blocked
    30005,  # unknown destination
    30006,  # landline or unreachable carrier
    30007,  # carrier filtering
}
OPTED_OUT_CODE = "21610"


def preload_sdk() -> None:
    """The Messages API modules, which the SDK imports on first use."""
    Client("AC" + "0" * 32, "preload").api.v2010.account.messages  # noqa: B018


class TwilioGateway(SmsGateway):
    name = "twilio"

    def __init__(self):
        self.retry_after: float | None = None  # of the last answer
        self.http_client = TwilioHttpClient(request_hooks={"response": self._note_retry_after})
        # A session that trusts the environment scans all of it on every request for proxy
        # settings: a sizeable share of the CPU of handing a text over. Where it names no proxy
        # the session stops looking and takes the CA bundle, the only other thing requests reads
        # there, once; where it names one, requests applies it per request as ever (to whichever
        # host the SDK picks, TWILIO_REGION/EDGE included).
        if not _environment_names_a_proxy():
            self.http_client.session.trust_env = False
            self.http_client.session.verify = (
                os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
            )
        self.client = Client(
            settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN, http_client=self.http_client
        )
        if settings.TWILIO_API_BASE_URL:
            self.client.api.base_url = settings.TWILIO_API_BASE_URL

    def _note_retry_after(self, response, *args, **kwargs):
        """A requests response hook: the SDK's errors do not carry the headers."""
        self.retry_after = retry_after_seconds(response.headers.get("Retry-After"))

    def send(self, *, to: str, body: str, status_callback: str, timeout: float) -> SendReceipt:
        sender = (
            {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
            if settings.TWILIO_MESSAGING_SERVICE_SID
            else {"from_": settings.TWILIO_FROM_NUMBER}
        )
        self.http_client.timeout = timeout
        try:
            message = self.client.messages.create(to=to, body=body, status_callback=status_callback, **sender)
        except TwilioRestException as error:
            raise classify(error.status, error.code, error.msg, retry_after=self.retry_after) from error
        except TwilioServiceException as error:  # the problem-details (RFC 9457) error format
            raise classify(
                error.status, error.code, error.detail or error.title, retry_after=self.retry_after
            ) from error
        except requests.RequestException as error:
            raise network_error(error) from error
        except TwilioException as error:  # raised by the SDK before any request is made
            raise GatewayError(f"Twilio client error: {error}", permanent=False) from error
        return SendReceipt(provider_sid=message.sid, from_number=message.from_ or "")


def _environment_names_a_proxy() -> bool:
    """Whether the environment names a proxy for requests (`*_proxy`, `no_proxy`, any case)."""
    return any(name.lower().endswith("_proxy") for name in os.environ)


def classify(status: int, code, message: str, *, retry_after: float | None = None) -> GatewayError:
    code = _as_int(code) or status
    permanent = code in PERMANENT_ERROR_CODES or (400 <= status < 500 and status not in (408, 429))
    if status in (401, 403):
        permanent = True  # bad credentials: retrying only burns attempts
    return GatewayError(
        message or f"Twilio HTTP {status}",
        permanent=permanent,
        code=str(code),
        retry_after=retry_after if status in (429, 503) else None,
    )


def retry_after_seconds(header: str | None) -> float | None:
    """Retry-After in seconds (RFC 9110: delay-seconds or an HTTP date); None if absent or unreadable."""
    if not header:
        return None
    if header.strip().isdigit():
        return float(header)
    try:
        moment = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, (moment - datetime.now(UTC)).total_seconds())


def network_error(error: requests.RequestException) -> GatewayError:
    """Retry only when the request cannot have reached Twilio; otherwise it may have sent."""
    if _never_reached_twilio(error):
        return GatewayError(f"Twilio unreachable: {error}", permanent=False)
    return GatewayError(
        f"No answer from Twilio after the request was sent; it may have gone out: {error}",
        permanent=False,
        maybe_sent=True,
    )


def _never_reached_twilio(error: requests.RequestException) -> bool:
    if isinstance(error, requests.ConnectTimeout | requests.exceptions.SSLError):
        return True  # no connection, or no TLS session: no request was written
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(error, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def _as_int(code) -> int | None:
    try:
        return int(code)
    except (TypeError, ValueError):
        return None
