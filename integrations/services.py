"""API clients, webhook subscriptions, and the outbound event pipeline: record an event with the
change that caused it, deliver it to each target in order, retry, and tell ops when a target dies."""

import logging
import time
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import mail_admins
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Min, Q
from django.utils import timezone

from integrations import inbound, payloads, safe_http
from integrations.models import (
    OPEN_DELIVERY_STATUSES,
    ApiClient,
    AttemptOutcome,
    CrmIntegration,
    CrmKind,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    DeliveryTarget,
    EventType,
    OutboundEvent,
    WebhookSubscription,
)
from integrations.outcomes import AttemptResult
from mortgage_sms import jobs
from mortgage_sms.errors import ApplicationError
from mortgage_sms.scopes import Scope, all_scopes

logger = logging.getLogger(__name__)

DELIVER_TASK = "integrations.tasks.deliver"
# A delivery still `delivering` after this long belongs to a worker that died mid-call.
STUCK_AFTER = timedelta(minutes=5)
# Retries due sooner than the sweeper's next round get a one-off schedule of their own.
SWEEP_INTERVAL = timedelta(minutes=1)
SWEEP_BATCH = 500
ENVIRONMENT_INTEGRATION_NAME = "Total Expert (environment)"


# --- API clients --------------------------------------------------------------------------------


@transaction.atomic
def api_client_create(*, name: str, scopes: list[str] | None = None) -> tuple[ApiClient, str]:
    """Create a client with `scopes` (all when None) and return it with its token, which is
    never stored in clear."""
    name = name.strip()
    if not name:
        raise ApplicationError("A client needs a name.", field="name")
    if ApiClient.objects.filter(name=name).exists():
        raise ApplicationError(f"An API client named {name!r} exists already.", field="name")
    scopes = all_scopes() if scopes is None else scopes
    unknown = sorted(set(scopes) - set(Scope.values))
    if unknown or not scopes:
        raise ApplicationError(
            f"Unknown scope(s): {', '.join(unknown) or '(none given)'}. Choose from: {', '.join(Scope.values)}.",
            field="scopes",
        )
    client = ApiClient(name=name, scopes=scopes)
    token = client.issue_token()
    client.save()
    return client, token


# --- Webhook subscriptions ----------------------------------------------------------------------


def webhook_subscription_create(
    *, owner: ApiClient | None, url: str, events: list[str], description: str = ""
) -> WebhookSubscription:
    """Subscribe `url` to `events`. The secret is on the returned object; show it once."""
    url = url.strip()
    unknown = sorted(set(events) - set(EventType.values))
    if unknown or not events:
        raise ApplicationError(
            f"Unknown event types: {', '.join(unknown) or '(none given)'}.", field="events"
        )
    try:
        safe_http.resolve_url(url)
    except safe_http.UnsafeUrl as error:
        raise ApplicationError(str(error), field="url") from None
    existing = WebhookSubscription.objects.filter(owner=owner, url=url).first() if owner else None
    if existing:
        raise ApplicationError(
            f"You already subscribed this URL (subscription {existing.pk}); delete it to start over.",
            field="url",
            status=409,
        )
    return WebhookSubscription.objects.create(
        owner=owner,
        url=url,
        events=sorted(set(events), key=EventType.values.index),
        description=description,
        secret=WebhookSubscription.new_secret(),
    )


def webhook_subscription_delete(*, owner: ApiClient, subscription_id: int) -> None:
    deleted, _ = WebhookSubscription.objects.filter(owner=owner, pk=subscription_id).delete()
    if not deleted:
        raise ApplicationError("No such subscription.", status=404)


# --- Recording events ---------------------------------------------------------------------------


def outbound_event_record(
    *, type: str, lead_id, actor: str = "", message=None, data: dict | None = None
) -> OutboundEvent | None:
    """Record the event and one delivery per target that takes it, in the caller's transaction;
    the deliveries are queued when it commits. A change a target made itself is not sent back
    to it (loop protection)."""
    targets = _targets_for(type, actor)
    if not targets:
        return None
    now = timezone.now()
    if data is None:
        data = payloads.message_data(message) if message is not None else payloads.lead_data(lead_id)
    with transaction.atomic():
        event = OutboundEvent.objects.create(
            msg_id=OutboundEvent.new_msg_id(),
            type=type,
            lead_id=lead_id,
            message_id=message.pk if message is not None else None,
            actor=actor,
            body=payloads.event_body(type=type, timestamp=_iso(now), data=data),
            created_at=now,
        )
        deliveries = [
            Delivery(event=event, next_attempt_at=now, created_at=now, **_target_key(t)) for t in targets
        ]
        Delivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        _enqueue(delivery.pk)
    return event


def _targets_for(type: str, actor: str) -> list[DeliveryTarget]:
    crm_environment_integration_ensure()
    if not _any_active_target():
        return []  # most installations: every lead's events cost this one query
    subscriptions = WebhookSubscription.objects.filter(active=True).select_related("owner")
    integrations = CrmIntegration.objects.filter(active=True).select_related("api_client")
    return [
        target
        for target in [*subscriptions, *integrations]
        if target.is_receiving() and type in target.events and not (actor and actor == target.echo_actor())
    ]


def _any_active_target() -> bool:
    """Whether any webhook subscription or CRM integration is on, in one query (or the answer
    of the targets_snapshot() block the caller is in)."""
    known = _any_target_known.get()
    if known:
        return known[0]
    # Asked on every lead's events: as plain SQL it costs a tenth of the ORM's union().exists(),
    # whose query building is most of the time of so small a statement.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {WebhookSubscription._meta.db_table} WHERE active)"
            f" OR EXISTS (SELECT 1 FROM {CrmIntegration._meta.db_table} WHERE active)"
        )
        answer = bool(cursor.fetchone()[0])
    if known is not None:
        known.append(answer)
    return answer


# Within a targets_snapshot() block: [] until the first event asks, then [the answer].
_any_target_known: ContextVar[list | None] = ContextVar("any_target_known", default=None)


@contextmanager
def targets_snapshot():
    """The question "any webhook or CRM target?" asked once for the whole block: for one task whose events
    are milliseconds apart (the greeting's status change and its message.sent). A target added
    meanwhile takes the events that follow the block, as it would had it been added a moment
    later."""
    token = _any_target_known.set([])
    try:
        yield
    finally:
        _any_target_known.reset(token)


def _target_key(target: DeliveryTarget) -> dict:
    if isinstance(target, WebhookSubscription):
        return {"subscription": target}
    return {"integration": target}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _enqueue(delivery_id: int) -> None:
    jobs.enqueue(DELIVER_TASK, delivery_id)


# --- Delivering ---------------------------------------------------------------------------------


def delivery_attempt(*, delivery_id: int) -> str:
    """Try one delivery once, if it is due and first in line for its target. Returns what
    happened; safe to run twice (the row is claimed with a conditional update)."""
    now = timezone.now()
    delivery = (
        Delivery.objects.select_related("event", "subscription", "integration").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "not pending"
    if not delivery.target.is_receiving():
        return "target switched off"
    if _waits_behind_earlier(delivery):
        return "waiting for an earlier event"
    if not _claim(delivery, now):
        return "not due, or taken by another worker"
    attempt = DeliveryAttempt.objects.create(
        delivery=delivery, number=delivery.attempt_log.count() + 1, started_at=now
    )
    started = time.monotonic()
    result = _send(delivery, now)
    _record_attempt(attempt, result, duration=time.monotonic() - started)
    return _settle(delivery, result, attempt_number=delivery.attempts + 1)


def _waits_behind_earlier(delivery: Delivery) -> bool:
    """Deliveries to one target go out in event order: an earlier one still open goes first."""
    earlier = Delivery.objects.filter(**delivery.target_filter(), status__in=OPEN_DELIVERY_STATUSES)
    return earlier.filter(pk__lt=delivery.pk).exists()


def _claim(delivery: Delivery, now: datetime) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery.pk, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(status=DeliveryStatus.DELIVERING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _send(delivery: Delivery, now: datetime) -> AttemptResult:
    from integrations.connectors.sync import crm_deliver
    from integrations.webhooks import webhook_send

    try:
        if delivery.subscription_id:
            return webhook_send(delivery.subscription, delivery.event, now=now)
        return crm_deliver(delivery.integration, delivery.event)
    except Exception as error:  # a bug must not leave the row `delivering`; it is retried
        logger.exception("Delivery %s failed unexpectedly", delivery.pk)
        return AttemptResult(ok=False, error=f"Unexpected error: {error!r}")


def _record_attempt(attempt: DeliveryAttempt, result: AttemptResult, *, duration: float) -> None:
    attempt.outcome = AttemptOutcome.SUCCEEDED if result.ok else AttemptOutcome.FAILED
    attempt.status_code = result.status_code
    attempt.duration_ms = int(duration * 1000)
    attempt.response_excerpt = result.excerpt[:1000]
    attempt.error = result.error[:2000]
    attempt.save(update_fields=["outcome", "status_code", "duration_ms", "response_excerpt", "error"])


def _settle(delivery: Delivery, result: AttemptResult, *, attempt_number: int) -> str:
    now = timezone.now()
    target = delivery.target
    if result.ok:
        _update_delivering(delivery, result, status=DeliveryStatus.SUCCEEDED, delivered_at=now)
        _target_succeeded(target, now)
        _enqueue_next(delivery)
        return "succeeded"
    _target_failed(target, result, now)
    if result.give_up or attempt_number > len(settings.WEBHOOK_RETRY_SCHEDULE_SECONDS):
        _update_delivering(delivery, result, status=DeliveryStatus.FAILED)
        _enqueue_next(delivery)
        return "failed"
    if result.disable_reason:
        # The target is off until an operator fixes it; this delivery goes first when it is back.
        _update_delivering(delivery, result, status=DeliveryStatus.PENDING, next_attempt_at=now)
        return "waiting for the target to be switched back on"
    retry_at = now + _retry_delay(attempt_number, result.retry_after)
    _update_delivering(delivery, result, status=DeliveryStatus.PENDING, next_attempt_at=retry_at)
    _schedule_early_retry(delivery.pk, retry_at, now)
    return "will retry"


def _update_delivering(delivery: Delivery, result: AttemptResult, *, status: str, **fields) -> None:
    fields.setdefault("next_attempt_at", None)
    Delivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.DELIVERING).update(
        status=status, last_status_code=result.status_code, last_error=result.error[:2000], **fields
    )


def _retry_delay(attempt_number: int, retry_after: float | None) -> timedelta:
    """The schedule's wait after this attempt, or longer if the far end asked (capped)."""
    schedule = settings.WEBHOOK_RETRY_SCHEDULE_SECONDS
    seconds = schedule[attempt_number - 1]
    if retry_after:
        seconds = max(seconds, min(retry_after, max(schedule)))
    return timedelta(seconds=seconds)


def _schedule_early_retry(delivery_id: int, retry_at: datetime, now: datetime) -> None:
    if retry_at - now >= SWEEP_INTERVAL:
        return  # the sweeper's round will pick it up in time
    from django_q.models import Schedule
    from django_q.tasks import schedule

    transaction.on_commit(
        lambda: schedule(
            DELIVER_TASK, delivery_id, schedule_type=Schedule.ONCE, next_run=retry_at, repeats=-1
        )
    )


def _enqueue_next(delivery: Delivery) -> None:
    following = (
        Delivery.objects.filter(**delivery.target_filter(), status=DeliveryStatus.PENDING, pk__gt=delivery.pk)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if following:
        _enqueue(following)


# --- Target health ------------------------------------------------------------------------------


def _target_succeeded(target: DeliveryTarget, now: datetime) -> None:
    type(target).objects.filter(pk=target.pk).update(last_success_at=now, failing_since=None)


def _target_failed(target: DeliveryTarget, result: AttemptResult, now: datetime) -> None:
    model = type(target).objects
    model.filter(pk=target.pk).update(last_failure_at=now, last_failure_message=result.error[:1000])
    model.filter(pk=target.pk, failing_since__isnull=True).update(failing_since=now)
    if result.disable_reason:
        target_disable(target=target, reason=result.disable_reason)
        return
    failing_since = model.filter(pk=target.pk).values_list("failing_since", flat=True).first()
    if failing_since and now - failing_since >= timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS):
        target_disable(
            target=target,
            reason=f"Every delivery has failed since {failing_since:%Y-%m-%d %H:%M %Z}. "
            f"Last error: {result.error[:300]}",
        )


def target_disable(*, target: DeliveryTarget, reason: str, alert: bool = True) -> bool:
    """Switch a target off (its pending deliveries wait) and alert ops. False if it was off."""
    switched = (
        type(target).objects.filter(pk=target.pk, active=True).update(active=False, disabled_reason=reason)
    )
    if switched and alert:
        _alert_ops(
            f"Integration switched off: {target}", f"{target}\n\n{reason}\n\nSwitch it back on in the admin."
        )
    return bool(switched)


def target_enable(*, target: DeliveryTarget) -> None:
    """Switch a target back on; what waited for it goes out in order."""
    type(target).objects.filter(pk=target.pk).update(active=True, disabled_reason="", failing_since=None)
    key = _target_key(target)
    head = Delivery.objects.filter(**key, status=DeliveryStatus.PENDING).order_by("pk").first()
    if head:
        Delivery.objects.filter(pk=head.pk).update(next_attempt_at=timezone.now())
        _enqueue(head.pk)


def _alert_ops(subject: str, body: str) -> None:
    logger.error("%s: %s", subject, body)
    mail_admins(subject, body, fail_silently=True)


# --- Sweeping and redelivering ------------------------------------------------------------------


def deliveries_sweep(*, now: datetime | None = None) -> dict:
    """Every minute: free deliveries a dead worker left mid-attempt, queue the first open
    delivery of each active target when it is due (retries, and tasks that were lost), purge
    finished events past their retention (their payloads hold borrowers' data), and queue the
    CRM notifications due (inbound.notifications_sweep)."""
    now = now or timezone.now()
    interrupted = _release_stuck(now)
    due = _due_heads(now)
    for delivery_id in due:
        _enqueue(delivery_id)
    notifications = inbound.notifications_sweep(now=now)
    return {
        "interrupted": interrupted,
        "queued": len(due),
        "purged": _purge_finished(now),
        "notifications": notifications,
    }


def _release_stuck(now: datetime) -> int:
    stuck = Delivery.objects.filter(status=DeliveryStatus.DELIVERING, claimed_at__lt=now - STUCK_AFTER)
    ids = list(stuck.values_list("pk", flat=True))
    DeliveryAttempt.objects.filter(delivery_id__in=ids, outcome=AttemptOutcome.IN_PROGRESS).update(
        outcome=AttemptOutcome.INTERRUPTED, error="The worker stopped during the attempt."
    )
    return stuck.filter(pk__in=ids).update(status=DeliveryStatus.PENDING, next_attempt_at=now)


def _due_heads(now: datetime) -> list[int]:
    heads = (
        Delivery.objects.filter(status__in=OPEN_DELIVERY_STATUSES)
        .order_by()
        .values("subscription_id", "integration_id")
        .annotate(head=Min("id"))
        .values("head")
    )
    receiving = Q(integration__active=True) | Q(subscription__active=True) & (
        Q(subscription__owner__isnull=True) | Q(subscription__owner__active=True)
    )
    due = Delivery.objects.filter(pk__in=heads, status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
    due = due.filter(receiving)
    return list(due.order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])


def _purge_finished(now: datetime) -> int:
    cutoff = now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    old = OutboundEvent.objects.filter(created_at__lt=cutoff).exclude(
        deliveries__status__in=OPEN_DELIVERY_STATUSES
    )
    ids = list(old.order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    return OutboundEvent.objects.filter(pk__in=ids).delete()[1].get("integrations.OutboundEvent", 0)


def deliveries_redeliver(*, delivery_ids: list[int]) -> int:
    """Send these deliveries again from a fresh schedule (an operator's decision)."""
    now = timezone.now()
    count = (
        Delivery.objects.filter(pk__in=delivery_ids)
        .exclude(status=DeliveryStatus.DELIVERING)
        .update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, delivered_at=None)
    )
    for delivery_id in sorted(delivery_ids):
        _enqueue(delivery_id)
    return count


def crm_environment_integration_ensure() -> None:
    """With TOTAL_EXPERT_CLIENT_ID set, Total Expert takes every event with no admin step: an
    integration on the environment's credentials is made, unless one exists (an operator's own,
    or this one switched off: either way, theirs to decide)."""
    if not settings.TOTAL_EXPERT_CLIENT_ID:
        return
    if CrmIntegration.objects.filter(kind=CrmKind.TOTAL_EXPERT).exists():
        return
    try:
        with transaction.atomic():
            crm_integration_save(
                integration=CrmIntegration(kind=CrmKind.TOTAL_EXPERT, name=ENVIRONMENT_INTEGRATION_NAME)
            )
    except IntegrityError:
        pass  # another process made it a moment ago


def crm_integration_save(*, integration: CrmIntegration) -> CrmIntegration:
    """Save an integration from the admin, with the CRM's default field mapping if none is set."""
    from integrations.connectors import connector_class

    if not integration.field_mapping:
        integration.field_mapping = dict(connector_class(integration.kind).default_mapping)
    integration.save()
    return integration
