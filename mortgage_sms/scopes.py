"""API token scopes: what each client's token may do, checked on every API request.

Every API view names the scope it needs, for all its requests or per action / HTTP method:

    class MetricsView(APIView):
        required_scopes = "metrics:read"

    class LeadViewSet(ViewSet):
        required_scopes = {"list": "leads:read", "create": "leads:create", "PATCH": "leads:write"}

`ScopeRequired` (the default permission class) refuses a token without that scope with a 403
naming it, and a view that names none fails loudly instead of being open to every token.
A function view takes `@permission_classes([requires_scope("metrics:read")])`."""

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from rest_framework.permissions import BasePermission


class Scope(models.TextChoices):
    LEADS_CREATE = "leads:create", "leads:create: post inquiries (a web form needs only this)"
    LEADS_READ = "leads:read", "leads:read: read leads, their texts, timeline and appointments, the DNC list"
    LEADS_WRITE = "leads:write", "leads:write: change leads (status, do-not-contact), add to the DNC list"
    WEBHOOKS = "webhooks", "webhooks: manage its own webhook subscriptions"
    METRICS_READ = "metrics:read", "metrics:read: read the reporting figures"


def all_scopes() -> list[str]:
    return list(Scope.values)


def required_scope(view, method: str) -> str:
    """The scope `view` needs for a request with `method` (its viewset action first)."""
    declared = getattr(view, "required_scopes", None)
    if isinstance(declared, str):
        return declared
    if isinstance(declared, dict):
        method = "GET" if method.upper() == "HEAD" else method.upper()
        scope = declared.get(getattr(view, "action", None)) or declared.get(method)
        if scope:
            return scope
    raise ImproperlyConfigured(
        f"{type(view).__name__} names no scope for {method} requests: give it `required_scopes` "
        "(see mortgage_sms/scopes.py)."
    )


class ScopeRequired(BasePermission):
    """An authenticated API client whose token carries the scope this request needs."""

    scope: str | None = None

    def has_permission(self, request, view) -> bool:
        client = request.user
        if not getattr(client, "is_authenticated", False):
            return False  # DRF answers 401 with `WWW-Authenticate: Token`
        if not _handles(view, request.method):
            return True  # nothing to protect: DRF answers 405 (OPTIONS: what the endpoint takes)
        scope = self.scope or required_scope(view, request.method)
        if not client.has_scope(scope):
            self.message = f"This token does not have the `{scope}` scope."
            return False
        return True


def _handles(view, method: str) -> bool:
    if method == "OPTIONS":
        return False
    if hasattr(view, "action_map"):  # a viewset: only its mapped methods have an action
        return view.action is not None
    return hasattr(view, method.lower())


def requires_scope(scope: str) -> type[ScopeRequired]:
    """The permission class for a view that needs `scope` whatever it does."""
    if scope not in Scope.values:
        raise ImproperlyConfigured(f"Unknown scope {scope!r}.")
    return type(f"Requires{scope.title().replace(':', '')}", (ScopeRequired,), {"scope": scope})
