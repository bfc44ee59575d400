"""Response headers every page and API answer needs, whichever app serves it."""

import logging

from django.conf import settings
from django.http import HttpResponse
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
