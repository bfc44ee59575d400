"""`/healthz` (liveness) and `/readyz` (readiness) for load balancers and uptime checks.

/healthz answers 200 while the process serves requests, touching nothing else. /readyz answers
200 when the database and the job broker answer, and 503 (with Retry-After) when either does
not; its body carries the counts ops watch (docs/operations.md)."""

from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from conversations.selectors import outbox_counts
from mortgage_sms import jobs
from mortgage_sms.middleware import service_unavailable


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    body = {"database": _database_status(), "broker": _broker_status()}
    if body["database"] == "ok":
        body.update(_counts())
    ready = body["database"] == "ok" and body["broker"]["status"] == "ok"
    body = {"status": "ready" if ready else "unavailable", **body}
    return JsonResponse(body) if ready else service_unavailable(request, body=body)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as error:
        return f"unreachable: {error}".strip()[:300]
    return "ok"


def _broker_status() -> dict:
    kind = "redis" if settings.REDIS_URL else "database"
    try:
        waiting = jobs.broker_waiting()
    except jobs.BROKER_ERRORS as error:
        return {"kind": kind, "status": f"unreachable: {error}".strip()[:300]}
    return {"kind": kind, "status": "ok", "tasks_waiting": waiting}


def _counts() -> dict:
    from django_q.models import Failure

    now = timezone.now()
    lost_after = timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    return {
        "outbox": outbox_counts(now=now, overdue_after=lost_after),
        "task_failures_last_hour": Failure.objects.filter(stopped__gte=now - timedelta(hours=1)).count(),
    }
