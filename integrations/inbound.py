"""Changes made in a CRM, coming back to us: Total Expert's webhook notifications.

A notification names a record, not its contents (`{item, action, id, hashValue, secret}`). It is
saved first, then a task reads the contact from Total Expert and applies what its users changed,
as `PATCH /api/v1/leads/{id}/` would, with the integration as the actor: our outbound events
skip the CRM a change came from (loop protection), and every other target still hears of it."""

import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from integrations.connectors import ConnectorError, get_connector
from integrations.models import CrmIntegration, CrmNotification, CrmRecord, InboundStatus
from leads import services as lead_services
from leads.api import LeadUpdateInput
from leads.models import Lead
from mortgage_sms.errors import ApplicationError

PROCESS_TASK = "integrations.tasks.process_notification"
# Contact updates are what we apply (a contact made in Total Expert is not a lead of ours; one we
# made comes back as CREATED and is already in step). Webhooks: "Contact Update" etc.
SUBSCRIBED_ACTIONS = [{"action": "UPDATED", "item": "CONTACT"}]
APPLIED_ACTIONS = {("CONTACT", "UPDATED")}
STUCK_AFTER = timedelta(minutes=5)
# An opt-out recorded on the CRM's side: the borrower's words are not known to us.
OPT_OUT_WORDS = "Marked opted out in the CRM"
SWEEP_BATCH = 500
NAME_PATTERN = re.compile(r"^[A-Z_]{1,40}$")
ID_PATTERN = re.compile(r"^\d{1,20}$")


def webhook_secret_matches(integration: CrmIntegration, secret) -> bool:
    """Total Expert puts the subscription's secret in every notification body; it is compared in
    constant time, and an integration without a secret accepts nothing."""
    expected = integration.webhook_secret
    if not expected or not isinstance(secret, str):
        return False
    return hmac.compare_digest(secret.encode(), expected.encode())


def notification_fields(payload: dict) -> dict:
    """The parts of a notification body we keep, checked. Raises ApplicationError."""
    item, action = str(payload.get("item", "")).upper(), str(payload.get("action", "")).upper()
    remote_id, hash_value = str(payload.get("id", "")), payload.get("hashValue") or ""
    if not NAME_PATTERN.match(item) or not NAME_PATTERN.match(action):
        raise ApplicationError("`item` and `action` are names like CONTACT and UPDATED.")
    if not ID_PATTERN.match(remote_id):
        raise ApplicationError("`id` is the record's numeric id.")
    if not isinstance(hash_value, str) or len(hash_value) > 128:
        raise ApplicationError("`hashValue` is a hex string.")
    return {"item": item, "action": action, "remote_id": remote_id, "hash_value": hash_value}


def notification_record(
    *, integration: CrmIntegration, item: str, action: str, remote_id: str, hash_value: str
) -> CrmNotification:
    """Save a notification and queue its handling; one that repeats the record's last digest
    (Total Expert sends one on a save that changed nothing) is saved as ignored."""
    now = timezone.now()
    reason = _reason_to_ignore(integration, item, action, remote_id, hash_value)
    with transaction.atomic():
        notification = CrmNotification.objects.create(
            integration=integration,
            item=item,
            action=action,
            remote_id=remote_id,
            hash_value=hash_value,
            status=InboundStatus.IGNORED if reason else InboundStatus.PENDING,
            outcome=reason,
            next_attempt_at=None if reason else now,
            processed_at=now if reason else None,
            received_at=now,
        )
        if not reason:
            _enqueue(notification.pk)
    return notification


def _reason_to_ignore(integration, item: str, action: str, remote_id: str, hash_value: str) -> str:
    if not integration.active:
        return "The integration is switched off."
    if (item, action) not in APPLIED_ACTIONS:
        return f"{item} {action} is not synced."
    last = (
        CrmNotification.objects.filter(integration=integration, item=item, remote_id=remote_id)
        .exclude(status=InboundStatus.FAILED)
        .order_by("-id")
        .first()
    )
    if hash_value and last and last.hash_value == hash_value:
        return "Same hashValue as the last notification: nothing changed."
    return ""


def _enqueue(notification_id: int) -> None:
    from django_q.tasks import async_task

    transaction.on_commit(lambda: async_task(PROCESS_TASK, notification_id, group="crm-inbound"))


# --- Processing ---------------------------------------------------------------------------------


def notification_process(*, notification_id: int) -> str:
    """Act on one notification once (claimed with a conditional update); safe to run twice."""
    now = timezone.now()
    claimed = CrmNotification.objects.filter(
        pk=notification_id, status=InboundStatus.PENDING, next_attempt_at__lte=now
    ).update(status=InboundStatus.PROCESSING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "not pending, or not due"
    notification = CrmNotification.objects.select_related("integration").get(pk=notification_id)
    try:
        with transaction.atomic():
            status, outcome, lead = _apply(notification)
            _settle(notification, status=status, outcome=outcome, lead=lead)
    except ConnectorError as error:
        return _retry_or_give_up(notification, error, now)
    return outcome


def _apply(notification: CrmNotification) -> tuple[str, str, Lead | None]:
    integration = notification.integration
    connector = get_connector(integration)
    contact = connector.fetch_contact(notification.remote_id)
    if contact is None:
        return InboundStatus.IGNORED, "The contact is not in Total Expert any more.", None
    lead = connector.lead_of(contact)
    if lead is None:
        return InboundStatus.IGNORED, "Not a contact we made for a lead.", None
    changes = connector.changes_made_there(lead, contact)
    if not changes:
        return InboundStatus.APPLIED, "No change made in Total Expert.", lead
    outcome = crm_changes_apply(lead=lead, changes=changes, actor=integration.inbound_actor)
    lead.refresh_from_db()
    if lead.opted_out_at:
        connector.write_opt_out(lead)  # Total Expert's own campaigns must respect it too
    return InboundStatus.APPLIED, outcome, lead


def crm_changes_apply(*, lead: Lead, changes: dict, actor: str) -> str:
    """Apply changes a CRM made as PATCH /api/v1/leads/{id}/ would (its validation, its services;
    `opted_out: True` is its `opt_out`). A value the API would refuse is skipped and said so; the
    rest still apply."""
    changes = dict(changes)
    if changes.pop("opted_out", None) is True:
        changes["opt_out"] = {"words": OPT_OUT_WORDS, "channel": "other"}
    valid, refused = _validated(changes)
    status = valid.pop("status", None)
    if valid:
        lead_services.lead_update_from_crm(lead=lead, data=valid, actor=actor)
    if status:
        try:
            lead_services.lead_update_from_crm(lead=lead, data={"status": status}, actor=actor)
        except ApplicationError as error:
            refused.append(f"status {status}: {error.message}")
        else:
            valid["status"] = status
    applied = ", ".join(f"{name}: {value}" for name, value in valid.items()) or "nothing"
    return f"Applied {applied}." + (f" Refused {'; '.join(refused)}." if refused else "")


def _validated(changes: dict) -> tuple[dict, list[str]]:
    """Each field through the API's own serializer, so a bad value costs only itself."""
    valid, refused = {}, []
    for name, value in changes.items():
        serializer = LeadUpdateInput(data={name: value}, partial=True)
        if serializer.is_valid():
            valid.update(serializer.validated_data)
        else:
            errors = "; ".join(str(e) for e in serializer.errors.get(name, serializer.errors))
            refused.append(f"{name} {value!r}: {errors}")
    return valid, refused


def _settle(notification: CrmNotification, *, status: str, outcome: str, lead: Lead | None) -> None:
    CrmNotification.objects.filter(pk=notification.pk, status=InboundStatus.PROCESSING).update(
        status=status, outcome=outcome[:2000], lead=lead, processed_at=timezone.now(), next_attempt_at=None
    )


def _retry_or_give_up(notification: CrmNotification, error: ConnectorError, now: datetime) -> str:
    schedule = settings.WEBHOOK_RETRY_SCHEDULE_SECONDS
    attempt = notification.attempts
    CrmIntegration.objects.filter(pk=notification.integration_id).update(
        last_failure_at=now, last_failure_message=f"Reading a notification: {error.message}"[:1000]
    )
    if error.permanent or attempt > len(schedule):
        _settle(notification, status=InboundStatus.FAILED, outcome=error.message, lead=None)
        return "failed"
    wait = max(schedule[attempt - 1], min(error.retry_after or 0, max(schedule)))
    CrmNotification.objects.filter(pk=notification.pk, status=InboundStatus.PROCESSING).update(
        status=InboundStatus.PENDING,
        outcome=error.message[:2000],
        next_attempt_at=now + timedelta(seconds=wait),
    )
    return "will retry"


def notifications_sweep(*, now: datetime) -> int:
    """Free notifications a dead worker left mid-way, queue those due (retries, lost tasks), and
    purge finished ones past WEBHOOK_RETENTION_DAYS (their outcomes name borrowers)."""
    CrmNotification.objects.filter(status=InboundStatus.PROCESSING, claimed_at__lt=now - STUCK_AFTER).update(
        status=InboundStatus.PENDING, next_attempt_at=now
    )
    due = CrmNotification.objects.filter(status=InboundStatus.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("pk").values_list("pk", flat=True)[:SWEEP_BATCH])
    for notification_id in ids:
        _enqueue(notification_id)
    _purge_finished(now)
    return len(ids)


def _purge_finished(now: datetime) -> None:
    cutoff = now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    old = CrmNotification.objects.filter(
        received_at__lt=cutoff,
        status__in=(InboundStatus.APPLIED, InboundStatus.IGNORED, InboundStatus.FAILED),
    )
    CrmNotification.objects.filter(pk__in=list(old.values_list("pk", flat=True)[:SWEEP_BATCH])).delete()


# --- Subscribing --------------------------------------------------------------------------------


def totalexpert_webhooks_subscribe(*, integration: CrmIntegration) -> str:
    """Ask Total Expert to send contact updates to us, with a new secret (rotating the old one
    when we subscribed before). Returns the URL it will call. Raises ApplicationError."""
    url = settings.PUBLIC_BASE_URL + reverse("totalexpert-webhook", args=[integration.pk])
    if not url.startswith("https://"):
        raise ApplicationError(f"Total Expert only calls https addresses; PUBLIC_BASE_URL gives {url}.")
    secret = secrets.token_hex(32)  # Total Expert suggests a random hex string of 32 to 64 characters
    record = CrmRecord.objects.filter(
        integration=integration, object_type="subscription", local_id=str(integration.pk)
    ).first()
    try:
        subscription_id = get_connector(integration).client.save_webhook_subscription(
            url=url,
            secret=secret,
            actions=SUBSCRIBED_ACTIONS,
            subscription_id=record.remote_id if record else "",
        )
    except ConnectorError as error:
        raise ApplicationError(f"Total Expert refused the subscription: {error.message}") from None
    integration.webhook_secret = secret
    integration.save(update_fields=["webhook_secret"])
    if subscription_id:
        CrmRecord.objects.update_or_create(
            integration=integration,
            object_type="subscription",
            local_id=str(integration.pk),
            defaults={"remote_id": subscription_id},
        )
    return url
