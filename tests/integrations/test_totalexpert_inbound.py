"""Changes made in Total Expert come back through its webhook notifications."""

import json

import pytest

from conversations import services as conversation_services
from conversations.models import Kind, Sender
from integrations.models import CrmIntegration, CrmNotification, InboundStatus
from leads import services as lead_services
from leads.models import Lead, LeadEvent
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def synced_lead(totalexpert, te_integration, run_tasks):
    """A lead already written to Total Expert: returns it with its contact id."""
    lead = LeadFactory(first_name="Ana", last_name="Diaz", credit="good", timeline="1_3_months")
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status="nurturing", actor="system")
    [contact_id] = totalexpert.contacts
    return lead, contact_id


def edit_in_total_expert(totalexpert, contact_id, custom=None, **attributes):
    """What a Total Expert user does in its UI: change the contact."""
    contact = totalexpert.contacts[contact_id]
    contact.update(attributes)
    for name, value in (custom or {}).items():
        contact["custom"] = [c for c in contact["custom"] if c["field_name"] != name]
        contact["custom"].append({"field_name": name, "value": value})


def notify(client, run_tasks, integration, body: bytes):
    with run_tasks():
        return client.post(
            f"/webhooks/totalexpert/{integration.pk}/", data=body, content_type="application/json"
        )


def test_a_status_and_a_name_changed_in_total_expert_come_back_like_a_crm_patch(
    client, totalexpert, te_integration, synced_lead, receiver, subscribe, run_tasks
):
    lead, contact_id = synced_lead
    subscribe(receiver.url, events=["lead.updated"])
    edit_in_total_expert(totalexpert, contact_id, last_name="Díaz-Ruiz", credit_score="Excellent",
                         custom={"msms_status": "closed_won"})  # fmt: skip
    calls_before = len(totalexpert.requests)

    response = notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.status == "closed_won" and lead.last_name == "Díaz-Ruiz" and lead.credit == "excellent"
    assert LeadEvent.objects.filter(lead=lead, actor="crm:Total Expert", type="status_changed").exists()
    notification = CrmNotification.objects.get()
    assert notification.status == InboundStatus.APPLIED and notification.lead_id == lead.pk
    assert "closed_won" in notification.outcome
    # Every other subscriber hears of it; Total Expert is only read, never told its own news.
    assert {e["data"]["status"] for e in receiver.acknowledged_events()} >= {"closed_won"}
    assert [(r.method, r.path) for r in totalexpert.requests[calls_before:]] == [
        ("GET", f"/v1/contacts/{contact_id}")
    ]


@pytest.mark.parametrize("secret", ["wrong", "", None])
def test_a_notification_without_the_right_secret_is_refused(
    client, totalexpert, te_integration, synced_lead, run_tasks, secret
):
    _, contact_id = synced_lead
    body = json.loads(totalexpert.notification(contact_id, secret="x"))
    body["secret"] = secret

    response = notify(client, run_tasks, te_integration, json.dumps(body).encode())

    assert response.status_code == 403
    assert not CrmNotification.objects.exists()


def test_an_integration_without_a_secret_accepts_no_notification(
    client, totalexpert, te_integration, synced_lead, run_tasks
):
    _, contact_id = synced_lead
    CrmIntegration.objects.update(webhook_secret="")
    response = notify(client, run_tasks, te_integration, totalexpert.notification(contact_id, secret=""))
    assert response.status_code == 403


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"item": "CONTACT", "action": "UPDATED", "id": "../1", "hashValue": "ab"}'],
)
def test_a_malformed_notification_is_a_400_and_changes_nothing(client, te_integration, run_tasks, body):
    if body.startswith(b"{"):
        body = json.dumps({**json.loads(body), "secret": te_integration.webhook_secret}).encode()
        assert notify(client, run_tasks, te_integration, body).status_code == 400
    else:
        assert notify(client, run_tasks, te_integration, body).status_code in (400, 403)
    assert not CrmNotification.objects.exists()


def test_a_repeated_notification_is_recorded_and_ignored(
    client, totalexpert, te_integration, synced_lead, run_tasks
):
    _, contact_id = synced_lead
    edit_in_total_expert(totalexpert, contact_id, last_name="Ruiz")
    body = totalexpert.notification(contact_id, secret=te_integration.webhook_secret)
    notify(client, run_tasks, te_integration, body)
    notify(client, run_tasks, te_integration, body)

    assert [n.status for n in CrmNotification.objects.order_by("pk")] == ["applied", "ignored"]
    assert len(totalexpert.requests_to("GET", f"/v1/contacts/{contact_id}")) == 1


def test_a_notification_echoing_our_own_write_does_not_undo_a_newer_change(
    client, totalexpert, te_integration, synced_lead, run_tasks
):
    lead, contact_id = synced_lead
    totalexpert.fail_next(500)  # our next update does not reach Total Expert yet
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status="unresponsive", actor="system")
    edit_in_total_expert(totalexpert, contact_id, first_name="Anita")  # still says nurturing

    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )

    lead.refresh_from_db()
    assert lead.first_name == "Anita" and lead.status == "unresponsive"


def test_an_opt_out_marked_in_total_expert_stops_our_texts_and_its_campaigns(
    client, totalexpert, te_integration, synced_lead, run_tasks
):
    lead, contact_id = synced_lead
    edit_in_total_expert(totalexpert, contact_id, custom={"msms_sms_opted_out": "True"})

    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )

    lead.refresh_from_db()
    assert lead.status == "opted_out" and lead.opted_out_at is not None
    assert totalexpert.opt_outs == [{"phone_number": totalexpert.contacts[contact_id]["phone_cell"]}]
    later = conversation_services.send_sms(lead=lead, body="Hi", kind=Kind.REPLY, sender=Sender.AGENT)
    assert later.blocked_reason == "opted_out"


def test_a_contact_silenced_in_total_expert_is_not_contacted_by_us_either(
    client, totalexpert, te_integration, synced_lead, run_tasks
):
    lead, contact_id = synced_lead
    edit_in_total_expert(totalexpert, contact_id, preferences={"is_silenced": True})

    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )

    lead.refresh_from_db()
    assert lead.do_not_contact and lead.status == "do_not_contact"


def test_a_value_the_api_would_refuse_is_skipped_and_the_rest_applies(
    client, totalexpert, te_integration, synced_lead, run_tasks
):
    lead, contact_id = synced_lead
    edit_in_total_expert(
        totalexpert, contact_id, last_name="Ruiz", custom={"msms_status": "Won!", "msms_timeline": "soon"}
    )

    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )

    lead.refresh_from_db()
    assert lead.last_name == "Ruiz" and lead.status == "nurturing" and lead.timeline == "1_3_months"
    outcome = CrmNotification.objects.get().outcome
    assert "Refused" in outcome and "'Won!'" in outcome and "'soon'" in outcome


def test_a_contact_that_is_not_one_of_our_leads_is_ignored(client, totalexpert, te_integration, run_tasks):
    stranger = totalexpert.add_contact(first_name="Zed", last_name="Q", phone_cell="(612)555-1234")

    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(stranger, secret=te_integration.webhook_secret),
    )

    notification = CrmNotification.objects.get()
    assert notification.status == InboundStatus.IGNORED and "Not a contact we made" in notification.outcome
    assert not Lead.objects.exists()


def test_a_notification_waits_out_a_total_expert_outage(
    client, clock, totalexpert, te_integration, synced_lead, sweep, run_tasks
):
    lead, contact_id = synced_lead
    edit_in_total_expert(totalexpert, contact_id, last_name="Ruiz")
    totalexpert.fail_next(503, headers={"Retry-After": "20"})

    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )
    assert CrmNotification.objects.get().status == InboundStatus.PENDING
    clock.shift(20)
    sweep()

    lead.refresh_from_db()
    assert lead.last_name == "Ruiz" and CrmNotification.objects.get().status == InboundStatus.APPLIED


def test_a_switched_off_integration_applies_nothing(
    client, totalexpert, te_integration, synced_lead, run_tasks
):
    lead, contact_id = synced_lead
    CrmIntegration.objects.update(active=False)
    edit_in_total_expert(totalexpert, contact_id, last_name="Ruiz")

    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )

    lead.refresh_from_db()
    assert lead.last_name == "Diaz" and CrmNotification.objects.get().status == InboundStatus.IGNORED


def test_finished_notifications_are_purged_after_the_retention_period(
    client, clock, totalexpert, te_integration, synced_lead, sweep, run_tasks, settings
):
    _, contact_id = synced_lead
    notify(
        client,
        run_tasks,
        te_integration,
        totalexpert.notification(contact_id, secret=te_integration.webhook_secret),
    )
    clock.shift(settings.WEBHOOK_RETENTION_DAYS * 86400 - 60)
    sweep()
    assert CrmNotification.objects.count() == 1
    clock.shift(120)
    sweep()
    assert not CrmNotification.objects.exists()
