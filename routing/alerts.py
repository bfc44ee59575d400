"""Nothing a borrower writes goes unseen: reply alerts (text, e-mail, web push), batched per
thread, reminders when a borrower waits, and ops when the officer does not answer."""

import json
import logging
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from leads.models import Lead
from routing import intents, texts
from routing.eligibility import FINISHED_STATUSES
from routing.models import LoanOfficer, PushSubscription, ThreadWatch

logger = logging.getLogger(__name__)


def _enqueue(task: str, *args) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(task, *args, group=task.rsplit(".", 1)[-1]))


# --- Recording what the officer has not seen --------------------------------------------------


def thread_record_inbound(
    *, lead: Lead, at: datetime, body: str = "", wants_call: bool = False
) -> ThreadWatch | None:
    """A borrower texted (or rang) on a claimed lead: the thread is unread and waiting; alert (batched)."""
    if not lead.assigned_officer_id or lead.status in FINISHED_STATUSES:
        return None
    watch = _watch(lead.pk, lead.assigned_officer_id)
    wants_call = wants_call or intents.asks_for_call(body)
    ThreadWatch.objects.filter(pk=watch.pk, waiting_since__isnull=True).update(waiting_since=at)
    ThreadWatch.objects.filter(pk=watch.pk, unread_since__isnull=True).update(unread_since=at)
    changes = {"last_inbound_at": at}
    if wants_call:
        changes["wants_call"] = True
    ThreadWatch.objects.filter(pk=watch.pk).update(**changes)
    _enqueue("routing.tasks.alert_thread", watch.pk)
    return watch


def _watch(lead_id, officer_id) -> ThreadWatch:
    try:
        with transaction.atomic():
            return ThreadWatch.objects.get_or_create(lead_id=lead_id, officer_id=officer_id)[0]
    except IntegrityError:  # created by a concurrent text on the same thread
        return ThreadWatch.objects.get(lead_id=lead_id, officer_id=officer_id)


def thread_mark_read(*, lead: Lead, officer: LoanOfficer) -> None:
    """The officer has the thread open: nothing on it is unread any more."""
    ThreadWatch.objects.filter(lead=lead, officer=officer, unread_since__isnull=False).update(
        unread_since=None
    )


def thread_mark_answered(*, lead: Lead, officer: LoanOfficer) -> None:
    """The officer answered (a text or a call): the borrower is no longer waiting."""
    ThreadWatch.objects.filter(lead=lead, officer=officer).update(
        waiting_since=None, unread_since=None, wants_call=False, reminded_at=None, ops_alerted_at=None
    )


# --- Alerts -----------------------------------------------------------------------------------


def thread_alert(*, watch_id: int, now: datetime | None = None) -> str:
    """Alert the officer about texts not alerted yet, at most once per ALERT_BATCH_MINUTES."""
    now = now or timezone.now()
    watch = ThreadWatch.objects.filter(pk=watch_id).select_related("lead", "officer").first()
    if watch is None or watch.last_inbound_at is None or watch.unread_since is None:
        return "nothing unread"
    if watch.alerted_through and watch.alerted_through >= watch.last_inbound_at:
        return "already alerted"
    if watch.alerted_at and watch.alerted_at > now - timedelta(minutes=settings.ALERT_BATCH_MINUTES):
        return "batched: the sweep sends it"
    # The claim: of two tasks for the same texts, one finds alerted_through unchanged.
    claimed = ThreadWatch.objects.filter(
        pk=watch.pk, alerted_through=watch.alerted_through, last_inbound_at=watch.last_inbound_at
    ).update(alerted_at=now, alerted_through=F("last_inbound_at"))
    if not claimed:
        return "taken by another task"
    new_texts = _texts_since(watch.lead, watch.alerted_through)
    errors = _notify(
        watch.officer,
        texts.reply_alert(watch, new_texts),
        key=f"reply_alert:{watch.pk}:{now.timestamp():.0f}",
    )
    ThreadWatch.objects.filter(pk=watch.pk).update(alert_error=errors)
    return "alerted"


def _texts_since(lead: Lead, since: datetime | None) -> list[str]:
    inbound = lead.messages.filter(direction="inbound").order_by("created_at")
    if since:
        inbound = inbound.filter(created_at__gt=since)
    return list(inbound.values_list("body", flat=True))


def _notify(officer: LoanOfficer, alert: "texts.Alert", *, key: str) -> str:
    """Send an alert the ways the officer chose; returns the errors, if any."""
    from routing.services import _email, _text_staff

    errors = []
    by_sms = officer.alert_by_sms and officer.mobile_phone
    if by_sms:
        errors.append(_text_staff(officer.mobile_phone, alert.sms, key, officer))
    if officer.email and (officer.alert_by_email or not by_sms):
        errors.append(_email([officer.email], alert.subject, alert.email))
    errors.append(push_send(officer=officer, title=alert.subject, body=alert.push, url=alert.url))
    return " ".join(e for e in errors if e)


def watch_sweep(*, now: datetime | None = None) -> dict:
    """Every minute: send batched alerts that are due, remind officers, tell ops."""
    now = now or timezone.now()
    batch_due = now - timedelta(minutes=settings.ALERT_BATCH_MINUTES)
    pending = ThreadWatch.objects.filter(unread_since__isnull=False, alerted_at__lte=batch_due).filter(
        Q(alerted_through__lt=F("last_inbound_at")) | Q(alerted_through__isnull=True)
    )
    alerted = sum(
        thread_alert(watch_id=pk, now=now) == "alerted" for pk in pending.values_list("pk", flat=True)[:200]
    )
    reminded = _remind(now)
    escalated = _escalate(now)
    return {"alerted": alerted, "reminded": reminded, "escalated": escalated}


def _remind(now: datetime) -> int:
    due = ThreadWatch.objects.filter(
        waiting_since__lte=now - timedelta(minutes=settings.OFFICER_REMIND_MINUTES), reminded_at__isnull=True
    ).select_related("lead", "officer")
    count = 0
    for watch in due[:200]:
        if not ThreadWatch.objects.filter(pk=watch.pk, reminded_at__isnull=True).update(reminded_at=now):
            continue
        if watch.officer.is_available_at(now):
            _notify(
                watch.officer,
                texts.waiting_reminder(watch, now),
                key=f"reminder:{watch.pk}:{now.timestamp():.0f}",
            )
            count += 1
    return count


def _escalate(now: datetime) -> int:
    from routing.services import _email, _text_staff

    due = ThreadWatch.objects.filter(
        waiting_since__lte=now - timedelta(minutes=settings.OFFICER_ESCALATE_MINUTES),
        ops_alerted_at__isnull=True,
    ).select_related("lead", "officer")
    count = 0
    for watch in due[:200]:
        if not ThreadWatch.objects.filter(pk=watch.pk, ops_alerted_at__isnull=True).update(
            ops_alerted_at=now
        ):
            continue
        subject, body = texts.unanswered_ops_alert(watch, now)
        for phone in settings.ROUTING_OPS_PHONES:
            _text_staff(phone, f"{subject}. {body}", f"unanswered:{watch.pk}:{now.timestamp():.0f}:{phone}")
        if settings.ROUTING_OPS_EMAILS:
            _email(settings.ROUTING_OPS_EMAILS, subject, body)
        count += 1
    return count


# --- Web Push ---------------------------------------------------------------------------------


def push_enabled() -> bool:
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


def push_subscribe(*, officer: LoanOfficer, subscription: dict, user_agent: str = "") -> PushSubscription:
    """Remember a browser's push subscription (the JSON PushSubscription.toJSON() gives)."""
    from mortgage_sms.errors import ApplicationError

    try:
        endpoint = subscription["endpoint"]
        keys = subscription["keys"]
        p256dh, auth = keys["p256dh"], keys["auth"]
    except (KeyError, TypeError) as error:
        raise ApplicationError(
            "A push subscription needs an endpoint and keys.", field="subscription"
        ) from error
    # Browsers' push services are https; plain http only where local addresses are allowed.
    if not str(endpoint).startswith("https://") and not settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        raise ApplicationError("A push endpoint must be https.", field="endpoint")
    subscription, _ = PushSubscription.objects.update_or_create(
        endpoint=endpoint,
        defaults={"officer": officer, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:300]},
    )
    return subscription


def push_send(*, officer: LoanOfficer, title: str, body: str, url: str) -> str:
    """Notify every browser the officer allowed; a subscription the push service dropped is
    forgotten. Returns the errors, if any."""
    if not push_enabled():
        return ""
    from pywebpush import WebPushException, webpush

    payload = json.dumps({"title": title, "body": body, "url": url})
    errors = []
    for subscription in officer.push_subscriptions.all():
        info = {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
        try:
            webpush(
                info,
                payload,
                vapid_private_key=settings.VAPID_PRIVATE_KEY,
                vapid_claims={"sub": settings.VAPID_SUBJECT},
                ttl=3600,
                timeout=10,
            )
        except (WebPushException, requests.RequestException) as error:
            status = getattr(getattr(error, "response", None), "status_code", None)
            if status in (404, 410):  # the browser unsubscribed: the push service says so
                subscription.delete()
                continue
            errors.append(f"push: {error}")
            PushSubscription.objects.filter(pk=subscription.pk).update(last_error=str(error)[:500])
    return " ".join(errors)
