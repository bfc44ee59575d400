"""Response headers every page and API answer needs, whichever app serves it; and a 503 with
Retry-After, not an HTML 500, when the database or the job broker cannot be reached."""

import logging

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)


class NoStoreMiddleware:
    """Pages and API answers carry borrowers' data: no browser or proxy cache keeps a copy
    (unless a view chose its own Cache-Control)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response


class UntrustedProxyMiddleware:
    """A TLS-terminating proxy we were not told about turns the https redirect into an endless
    loop; answer with the fix instead."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._redirect_would_loop(request):
            logger.error("Requests arrive through an https proxy: set PROXY_SSL_HEADER=X-Forwarded-Proto.")
            return HttpResponse(
                "This server sits behind an https proxy it has not been told to trust, so it would "
                "redirect every request to https forever. Set PROXY_SSL_HEADER=X-Forwarded-Proto "
                "(the header your proxy sets, and overwrites) and restart.",
                status=503,
                content_type="text/plain",
            )
        return self.get_response(request)

    @staticmethod
    def _redirect_would_loop(request) -> bool:
        return (
            settings.SECURE_SSL_REDIRECT
            and not settings.SECURE_PROXY_SSL_HEADER
            and not request.is_secure()
            and request.headers.get("X-Forwarded-Proto", "").lower() == "https"
        )


UNAVAILABLE_ERRORS = (
    OperationalError,
    InterfaceError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
# The API, the Twilio webhooks and the health checks answer JSON, as every other error they give.
JSON_PATH_PREFIXES = ("/api/", "/webhooks/", "/readyz")
UNAVAILABLE = "Temporarily unavailable: the database or the job broker cannot be reached. Retry later."


def service_unavailable(request, *, detail: str = UNAVAILABLE, body: dict | None = None) -> HttpResponse:
    if request.path.startswith(JSON_PATH_PREFIXES):
        response = JsonResponse(body or {"detail": detail}, status=503)
    else:
        response = HttpResponse(f"<h1>Service unavailable</h1><p>{detail}</p>", status=503)
    response["Retry-After"] = str(settings.SERVICE_RETRY_AFTER_SECONDS)
    return response


class ServiceUnavailableMiddleware:
    """Integrators retry a 503 (so does Twilio, for its webhooks); an HTML "Server Error (500)"
    reads as a bug in our server."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        logger.error("503 for %s %s: %s", request.method, request.path, exception)
        return service_unavailable(request)
