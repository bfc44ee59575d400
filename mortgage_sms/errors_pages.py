"""403 and 404 pages that say what happened and where to go next, in the product's style.

Django uses them when DEBUG is off (handler403/handler404); the officer pages show them even
with DEBUG on (`make run`), where an officer following an alert for a lead another officer took
would otherwise land on Django's debugging page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404

PRODUCT_PREFIXES = ("/officer/", "/simulator/")


def next_steps(request) -> list[dict]:
    user = getattr(request, "user", None)
    steps = []
    if user is not None and hasattr(user, "loan_officer"):
        steps.append({"url": "/officer/", "label": "My offers and leads"})
    if user is not None and user.is_staff:
        steps.append({"url": "/admin/", "label": "Admin home"})
    if not steps:
        steps.append({"url": "/officer/login/", "label": "Log in"})
    return steps


def page_not_found(request, exception=None):
    context = {
        "status": 404,
        "heading": "Not found",
        "explanation": "There is nothing at this address, or it is not yours to see. If you followed an "
        "alert for a lead, another officer may have claimed it or the offer expired.",
        "detail": _message(exception),
        "next_steps": next_steps(request),
    }
    return render(request, "error_page.html", context, status=404)


def permission_denied(request, exception=None):
    context = {
        "status": 403,
        "heading": "You do not have access to this page",
        "explanation": "Your login works, but it lacks the permission this page needs. Ask an administrator "
        "to give it to you (Admin → Users → your user → permissions).",
        "detail": _message(exception),
        "next_steps": next_steps(request),
    }
    return render(request, "error_page.html", context, status=403)


def _message(exception) -> str:
    """The reason given where the page was refused; Django's own defaults say nothing useful."""
    if exception is None or isinstance(exception, Resolver404):
        return ""
    text = str(exception)
    return "" if text.endswith("matches the given query.") else text


class ProductErrorPagesMiddleware:
    """The officer pages' 403 and 404 in the product's style, whatever DEBUG says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not request.path.startswith(PRODUCT_PREFIXES):
            return None
        if isinstance(exception, Http404):
            return page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return permission_denied(request, exception)
        return None
