import json
import ssl
from datetime import timedelta

import pytest
import trustme
from django.core import mail
from django.db import transaction
from django.utils import timezone
from django_q.models import Schedule
from rest_framework.test import APIClient
from standardwebhooks import Webhook

from conversations import services as conversation_services
from conversations.models import Kind, Sender
from integrations.models import (
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    OutboundEvent,
    WebhookSubscription,
)
from integrations.services import api_client_create, target_enable
from leads import services as lead_services
from tests.factories import LeadFactory, LoanOfficerFactory
from tests.fakes.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.django_db

LEAD = {"first_name": "Ana", "last_name": "Diaz", "phone": "(512) 555-0100", "sms_consent": True,
        "consent_text": "I agree to texts.", "state": "TX"}  # fmt: skip


def change_status(lead, run_tasks, status="nurturing"):
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status=status, actor="system")


def test_it_posts_a_signed_standard_webhook_with_the_lead_as_the_api_shows_it(
    api, receiver, subscribe, run_tasks
):
    subscription = subscribe(f"{receiver.url}/hooks?crm=1", events=["lead.created"])
    with run_tasks():
        response = api.post("/api/v1/leads/", LEAD, format="json")

    [request] = receiver.acknowledged
    assert request.path == "/hooks"
    payload = Webhook(subscription.secret).verify(request.body, request.headers)
    assert payload["type"] == "lead.created"
    assert payload["timestamp"].endswith("Z")
    assert payload["data"] == response.json()
    assert request.headers["webhook-id"] == OutboundEvent.objects.get().msg_id


def test_a_receiver_that_fails_twice_then_succeeds_gets_exactly_one_acknowledged_delivery(
    clock, receiver, subscribe, sweep, run_tasks
):
    receiver.script = [500, 502]
    subscribe(receiver.url, events=["lead.updated"])
    change_status(LeadFactory(), run_tasks)
    assert len(receiver.requests) == 1

    clock.shift(5)
    sweep()
    clock.shift(300)
    sweep()
    clock.shift(86400)
    sweep()

    assert len(receiver.requests) == 3
    assert len(receiver.acknowledged) == 1
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert len({r.headers["webhook-timestamp"] for r in receiver.requests}) == 3
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    log = list(delivery.attempt_log.values_list("status_code", "outcome"))
    assert log == [(500, "failed"), (502, "failed"), (204, "succeeded")]
    assert all(a.duration_ms is not None for a in delivery.attempt_log.all())


def test_the_first_retry_is_scheduled_within_seconds(clock, receiver, subscribe, run_tasks):
    receiver.script = [503]
    subscribe(receiver.url)
    change_status(LeadFactory(), run_tasks)

    delivery = Delivery.objects.get()
    assert delivery.next_attempt_at - timezone.now() == timedelta(seconds=5)
    retry = Schedule.objects.get(func="integrations.tasks.deliver")
    assert retry.schedule_type == Schedule.ONCE and retry.next_run == delivery.next_attempt_at


def test_a_receiver_down_for_hours_gets_the_event_once_it_is_back(
    clock, receiver, subscribe, sweep, run_tasks
):
    subscribe(receiver.url)
    receiver.stop()
    change_status(LeadFactory(), run_tasks)
    minutes = 0
    while not receiver.acknowledged and minutes < 28 * 60:
        clock.shift(60)
        minutes += 1
        if minutes == 3 * 60:
            receiver.start()  # back after three hours, on the same address
        sweep()

    assert len(receiver.acknowledged) == 1
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    outcomes = list(delivery.attempt_log.values_list("outcome", flat=True))
    assert outcomes[-1] == "succeeded" and set(outcomes[:-1]) == {"failed"}
    assert "reach" in delivery.attempt_log.first().error
    assert minutes < 8 * 60  # the next attempt after it came back, well within the schedule


def test_it_gives_up_after_the_last_attempt_and_moves_on_to_the_next_event(
    clock, receiver, subscribe, sweep, run_tasks
):
    receiver.script = [500] * 8
    subscribe(receiver.url)
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    change_status(lead, run_tasks, "unresponsive")
    for _ in range(30):
        clock.shift(3600)
        sweep()

    first, second = Delivery.objects.order_by("pk")
    assert first.status == DeliveryStatus.FAILED and first.attempts == 8
    assert second.status == DeliveryStatus.SUCCEEDED
    assert [e["data"]["status"] for e in receiver.acknowledged_events()] == ["unresponsive"]


def test_deliveries_to_one_subscription_go_out_in_event_order(clock, receiver, subscribe, sweep, run_tasks):
    receiver.script = [500]
    subscribe(receiver.url)
    lead = LeadFactory()
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status="nurturing", actor="system")
        lead_services.lead_set_status(lead=lead, status="unresponsive", actor="system")
    assert len(receiver.requests) == 1  # the second waits behind the first

    clock.shift(5)
    sweep()

    statuses = [json.loads(r.body)["data"]["status"] for r in receiver.requests]
    assert statuses == ["nurturing", "nurturing", "unresponsive"]


def test_a_slow_subscription_does_not_hold_up_another(clock, receiver, subscribe, run_tasks):
    receiver.script = [500, 500]
    subscribe(receiver.url)
    with WebhookReceiver() as other:
        subscribe(other.url)
        lead = LeadFactory()
        change_status(lead, run_tasks, "nurturing")
        change_status(lead, run_tasks, "unresponsive")
        assert other.acknowledged_types() == ["lead.updated", "lead.updated"]
    assert receiver.acknowledged == []


def test_it_waits_as_long_as_retry_after_asks(clock, receiver, subscribe, sweep, run_tasks):
    receiver.fail_next(429, headers={"Retry-After": "120"})
    subscribe(receiver.url)
    change_status(LeadFactory(), run_tasks)

    clock.shift(60)
    sweep()
    assert receiver.acknowledged == []
    clock.shift(60)
    sweep()
    assert len(receiver.acknowledged) == 1


def test_it_switches_off_an_endpoint_failing_for_days_and_alerts_ops(
    settings, clock, receiver, subscribe, sweep, run_tasks
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    receiver.script = [500] * 1000
    subscription = subscribe(receiver.url)
    lead = LeadFactory()
    for half_hour in range(6 * 48):
        if half_hour % 12 == 0:  # the pipeline keeps moving: a change every six hours
            change_status(lead, run_tasks, "nurturing" if half_hour % 24 else "unresponsive")
        clock.shift(1800)
        sweep()

    subscription.refresh_from_db()
    assert not subscription.active
    assert "failed since" in subscription.disabled_reason
    [alert] = mail.outbox
    assert alert.to == ["ops@example.com"] and receiver.url in alert.subject + alert.body
    requests_when_switched_off = len(receiver.requests)
    waiting = Delivery.objects.filter(status=DeliveryStatus.PENDING).count()
    assert waiting > 0

    receiver.script = []
    sweep()
    assert len(receiver.requests) == requests_when_switched_off  # nothing is sent while off
    with run_tasks():
        target_enable(target=subscription)
    assert len(receiver.acknowledged) == waiting


def test_it_stops_at_once_when_the_receiver_answers_gone(settings, receiver, subscribe, run_tasks):
    settings.ADMINS = [("Ops", "ops@example.com")]
    receiver.script = [410]
    subscription = subscribe(receiver.url)
    change_status(LeadFactory(), run_tasks)

    subscription.refresh_from_db()
    assert not subscription.active and "410" in subscription.disabled_reason
    assert Delivery.objects.get().status == DeliveryStatus.FAILED
    assert len(mail.outbox) == 1


def test_a_change_rolled_back_leaves_no_event(receiver, subscribe, run_tasks):
    subscribe(receiver.url)
    lead = LeadFactory()
    with run_tasks(), pytest.raises(RuntimeError), transaction.atomic():
        lead_services.lead_set_status(lead=lead, status="nurturing", actor="system")
        raise RuntimeError("the change fails after the signal")

    assert not OutboundEvent.objects.exists()
    assert receiver.requests == []


def test_it_sends_only_the_event_types_subscribed_to_active_subscriptions(receiver, subscribe, run_tasks):
    subscribe(receiver.url, events=["lead.assigned"])
    WebhookSubscription.objects.create(
        url=receiver.url, secret=WebhookSubscription.new_secret(), active=False
    )
    lead = LeadFactory()
    change_status(lead, run_tasks)
    with run_tasks():
        lead_services.lead_assign(lead=lead, officer=LoanOfficerFactory(name="Ray Park"), actor="routing")

    [event] = receiver.acknowledged_events()
    assert event["type"] == "lead.assigned"
    assert event["data"]["assigned_officer"]["name"] == "Ray Park"


def test_it_reports_texts_in_and_out_with_the_message_as_the_api_shows_it(
    api, receiver, subscribe, run_tasks
):
    subscribe(receiver.url, events=["message.received", "message.sent"])
    lead = LeadFactory()
    with run_tasks():
        conversation_services.inbound_receive(
            from_number=lead.phone, to_number="+15125550000", body="Is this Acme?", provider_sid="SM1"
        )
    with run_tasks():
        conversation_services.send_sms(lead=lead, body="Yes, it is.", kind=Kind.REPLY, sender=Sender.OFFICER)

    events = {e["type"]: e["data"] for e in receiver.acknowledged_events()}
    thread = api.get(f"/api/v1/leads/{lead.pk}/messages/").json()["results"]
    assert events["message.received"] == {**thread[0], "lead_id": str(lead.pk)}
    assert events["message.sent"] == {**thread[-1], "lead_id": str(lead.pk)}
    assert events["message.sent"]["status"] == "sent"


def test_it_reports_an_opt_out(receiver, subscribe, run_tasks):
    subscribe(receiver.url, events=["lead.opted_out"])
    lead = LeadFactory()
    with run_tasks():
        conversation_services.inbound_receive(
            from_number=lead.phone, to_number="+15125550000", body="STOP", provider_sid="SM2"
        )

    [event] = receiver.acknowledged_events()
    assert event["type"] == "lead.opted_out" and event["data"]["status"] == "opted_out"


def test_a_change_made_by_a_crm_is_not_echoed_to_that_crms_own_subscription(receiver, subscribe, run_tasks):
    crm, crm_token = api_client_create(name="Acme CRM")
    subscribe(receiver.url, owner=crm)
    with WebhookReceiver() as other:
        subscribe(other.url)
        lead = LeadFactory()
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {crm_token}")
        with run_tasks():
            response = client.patch(f"/api/v1/leads/{lead.pk}/", {"status": "closed_won"}, format="json")
        assert response.status_code == 200
        assert [e["data"]["status"] for e in other.acknowledged_events()] == ["closed_won"]
    assert receiver.requests == []
    change_status(LeadFactory(), run_tasks)  # a change from elsewhere still reaches the CRM
    assert receiver.acknowledged_types() == ["lead.updated"]


def test_the_sweeper_resumes_a_delivery_a_dead_worker_left_mid_attempt(
    clock, receiver, subscribe, sweep, run_tasks
):
    subscribe(receiver.url)
    receiver.stop()
    change_status(LeadFactory(), run_tasks)
    receiver.start()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERING, claimed_at=delivery.created_at
    )
    attempt = DeliveryAttempt.objects.create(delivery=delivery, number=2)

    clock.shift(600)
    sweep()

    attempt.refresh_from_db()
    assert attempt.outcome == "interrupted"
    assert len(receiver.acknowledged) == 1


def test_the_sweeper_is_registered_to_run_every_minute():
    sweeper = Schedule.objects.get(func="integrations.tasks.sweep_deliveries")
    assert sweeper.schedule_type == Schedule.MINUTES and sweeper.minutes == 1 and sweeper.repeats == -1


def test_the_sweeper_purges_finished_events_after_the_retention_period(
    settings, clock, receiver, subscribe, sweep, run_tasks
):
    settings.WEBHOOK_RETENTION_DAYS = 30
    subscribe(receiver.url)
    receiver.script = [500]
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")  # delivered on its second attempt
    clock.shift(5)
    sweep()
    receiver.stop()
    change_status(lead, run_tasks, "unresponsive")  # still retrying when the period ends

    clock.shift(31 * 86400)
    assert sweep()["purged"] == 1
    assert [e.type for e in OutboundEvent.objects.all()] == ["lead.updated"]
    assert not DeliveryAttempt.objects.filter(delivery__status="succeeded").exists()


def test_a_revoked_api_clients_subscriptions_go_quiet(receiver, subscribe, run_tasks):
    crm, _ = api_client_create(name="Old CRM")
    subscribe(receiver.url, owner=crm)
    crm.active = False
    crm.save(update_fields=["active"])
    change_status(LeadFactory(), run_tasks)
    assert receiver.requests == []


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An https receiver whose certificate names localhost, signed by a CA the test trusts."""
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with WebhookReceiver(tls=context) as server:
        yield server


def test_it_delivers_over_https_checking_the_certificate_for_the_host_name(
    tls_receiver, subscribe, run_tasks
):
    port = tls_receiver.url.rsplit(":", 1)[1]
    subscribe(f"https://localhost:{port}/hooks")
    change_status(LeadFactory(), run_tasks)
    assert len(tls_receiver.acknowledged) == 1


def test_it_refuses_a_certificate_for_another_name(tls_receiver, subscribe, run_tasks):
    subscribe(f"{tls_receiver.url}/hooks")  # https://127.0.0.1:port: the certificate names localhost
    change_status(LeadFactory(), run_tasks)

    assert tls_receiver.acknowledged == []
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "doesn't match 'localhost'" in delivery.last_error


def test_it_refuses_at_delivery_time_a_host_that_resolves_to_a_private_address(
    settings, receiver, subscribe, run_tasks
):
    port = receiver.url.rsplit(":", 1)[1]
    subscription = subscribe(f"https://localhost:{port}/hooks")  # accepted while private URLs were allowed
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    change_status(LeadFactory(), run_tasks)

    assert receiver.requests == []
    subscription.refresh_from_db()
    assert not subscription.active and "public addresses only" in subscription.disabled_reason
    attempt = DeliveryAttempt.objects.get()
    assert attempt.outcome == "failed" and attempt.error.startswith("Refused to call")
