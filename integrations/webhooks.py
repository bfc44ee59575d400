"""Send one event to one webhook subscription, signed as the Standard Webhooks spec says."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import urllib3
from django.conf import settings
from standardwebhooks import Webhook

from integrations import safe_http
from integrations.models import OutboundEvent, WebhookSubscription
from integrations.outcomes import AttemptResult

USER_AGENT = "MortgageSMS-Webhooks/1.0"
# Statuses after which the receiver may tell us how long to wait.
RETRY_AFTER_STATUSES = (429, 503)


def signed_headers(*, secret: str, msg_id: str, body: str, now: datetime) -> dict:
    """webhook-id stays the same on every retry; timestamp and signature are per attempt."""
    now = now.astimezone(UTC)  # the library reads the clock fields as UTC
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=msg_id, timestamp=now, data=body),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }


def webhook_send(subscription: WebhookSubscription, event: OutboundEvent, *, now: datetime) -> AttemptResult:
    headers = signed_headers(secret=subscription.secret, msg_id=event.msg_id, body=event.body, now=now)
    try:
        response = safe_http.post(
            subscription.url,
            body=event.body.encode(),
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except safe_http.UnsafeUrl as error:
        reason = f"Refused to call {subscription.url}: {error}"
        return AttemptResult(ok=False, error=reason, give_up=True, disable_reason=reason)
    except (urllib3.exceptions.HTTPError, OSError) as error:
        return AttemptResult(ok=False, error=f"Could not reach the endpoint: {error}")
    return _result(response)


def _result(response: safe_http.HttpResponse) -> AttemptResult:
    if 200 <= response.status < 300:
        return AttemptResult(ok=True, status_code=response.status, excerpt=response.excerpt)
    if response.status == 410:
        # The Standard Webhooks way for a receiver to say "stop sending".
        reason = "The endpoint answered 410 Gone: it asked for no more deliveries."
        return AttemptResult(
            ok=False,
            status_code=410,
            excerpt=response.excerpt,
            error=reason,
            give_up=True,
            disable_reason=reason,
        )
    retry_after = None
    if response.status in RETRY_AFTER_STATUSES:
        retry_after = parse_retry_after(response.headers)
    return AttemptResult(
        ok=False,
        status_code=response.status,
        excerpt=response.excerpt,
        error=f"HTTP {response.status}",
        retry_after=retry_after,
    )


def parse_retry_after(headers) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None."""
    value = next((v for k, v in dict(headers or {}).items() if k.lower() == "retry-after"), None)
    if not value:
        return None
    value = str(value).strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())
