import pytest
from django.utils import timezone

from integrations.connectors.hubspot import HubSpotConnector
from integrations.models import CrmIntegration, Delivery, WebhookSubscription
from leads import services as lead_services
from tests.factories import CrmIntegrationFactory, LeadFactory

pytestmark = pytest.mark.django_db

TOKEN = "pat-na1-11112222-3333-4444-5555-abcdefXYZW"


def deliver_one(receiver, subscribe, run_tasks, script=()):
    receiver.script = list(script)
    subscribe(receiver.url)
    with run_tasks():
        lead_services.lead_set_status(lead=LeadFactory(), status="nurturing", actor="system")
    return Delivery.objects.get()


def test_a_delivery_page_shows_every_attempt(admin_client, clock, receiver, subscribe, sweep, run_tasks):
    delivery = deliver_one(receiver, subscribe, run_tasks, script=[500])
    clock.shift(5)
    sweep()

    page = admin_client.get(f"/admin/integrations/delivery/{delivery.pk}/change/").content.decode()
    assert "500" in page and "&quot;status&quot;: 500" in page  # status code and response excerpt
    assert "failed" in page and "succeeded" in page
    assert delivery.event.msg_id in page
    listing = admin_client.get("/admin/integrations/delivery/?status__exact=succeeded").content.decode()
    assert "lead.updated" in listing


def test_the_redeliver_action_sends_the_same_event_again(admin_client, receiver, subscribe, run_tasks):
    delivery = deliver_one(receiver, subscribe, run_tasks)
    with run_tasks():
        response = admin_client.post(
            "/admin/integrations/delivery/", {"action": "redeliver", "_selected_action": [delivery.pk]}
        )

    assert response.status_code == 302
    assert len(receiver.acknowledged) == 2
    assert {r.headers["webhook-id"] for r in receiver.acknowledged} == {delivery.event.msg_id}
    assert delivery.attempt_log.count() == 2


def test_a_subscription_added_in_the_admin_shows_its_secret_once(admin_client, settings):
    response = admin_client.post(
        "/admin/integrations/webhooksubscription/add/",
        {"url": "https://8.8.8.8/hooks", "events": ["lead.created", "lead.updated"], "active": "on"},
        follow=True,
    )

    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in response.content.decode()
    page = admin_client.get(
        f"/admin/integrations/webhooksubscription/{subscription.pk}/change/"
    ).content.decode()
    assert subscription.secret not in page and subscription.secret[-4:] in page


def test_the_admin_refuses_a_private_webhook_url(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = admin_client.post(
        "/admin/integrations/webhooksubscription/add/",
        {"url": "https://169.254.169.254/latest/", "events": ["lead.created"], "active": "on"},
    )
    assert "public addresses only" in response.content.decode()
    assert not WebhookSubscription.objects.exists()


def integration_form(**overrides):
    data = {
        "name": "HubSpot", "kind": "hubspot", "active": "on", "events": ["lead.created", "lead.updated"],
        "api_client": "", "field_mapping": "", "instance_url": "", "client_id": "", "access_token": "",
        "client_secret": "",
    }  # fmt: skip
    return {**data, **overrides}


def test_a_crm_integration_gets_its_default_mapping_and_never_shows_a_secret_in_full(admin_client):
    admin_client.post("/admin/integrations/crmintegration/add/", integration_form(access_token=TOKEN))
    integration = CrmIntegration.objects.get()
    assert integration.access_token == TOKEN
    assert integration.field_mapping == HubSpotConnector.default_mapping

    page = admin_client.get(f"/admin/integrations/crmintegration/{integration.pk}/change/").content.decode()
    assert TOKEN not in page and "XYZW" in page


def test_saving_an_integration_without_retyping_the_token_keeps_it(admin_client):
    integration = CrmIntegrationFactory(access_token=TOKEN, field_mapping={"email": "email"})
    admin_client.post(
        f"/admin/integrations/crmintegration/{integration.pk}/change/",
        integration_form(name=integration.name, field_mapping='{"email": "email", "phone": "mobilephone"}'),
    )

    integration.refresh_from_db()
    assert integration.access_token == TOKEN
    assert integration.field_mapping == {"email": "email", "phone": "mobilephone"}


def test_the_admin_rejects_a_mapping_of_fields_we_do_not_have(admin_client):
    response = admin_client.post(
        "/admin/integrations/crmintegration/add/", integration_form(field_mapping='{"ssn": "ssn__c"}')
    )
    assert "Unknown fields: ssn" in response.content.decode()
    assert not CrmIntegration.objects.exists()


def test_operators_see_when_each_integration_last_succeeded_and_what_failed(admin_client, clock):
    CrmIntegrationFactory(name="HubSpot prod", last_success_at=timezone.now())
    CrmIntegrationFactory(
        name="Salesforce prod",
        kind="salesforce",
        failing_since=timezone.now(),
        last_failure_at=timezone.now(),
        last_failure_message="Salesforce HTTP 503",
    )
    page = admin_client.get("/admin/integrations/crmintegration/").content.decode()
    assert '<td class="field-health">ok</td>' in page
    assert "failing since" in page and "Salesforce HTTP 503" in page


@pytest.mark.parametrize(
    "page",
    [
        "webhooksubscription/", "webhooksubscription/add/", "crmintegration/", "crmintegration/add/",
        "delivery/", "outboundevent/", "crmrecord/", "apiclient/",
    ],
)  # fmt: skip
def test_every_integrations_admin_page_opens(admin_client, page):
    assert admin_client.get(f"/admin/integrations/{page}").status_code == 200


def test_an_event_page_shows_its_payload_and_deliveries(admin_client, receiver, subscribe, run_tasks):
    delivery = deliver_one(receiver, subscribe, run_tasks)
    page = admin_client.get(f"/admin/integrations/outboundevent/{delivery.event.pk}/change/").content.decode()
    assert delivery.event.msg_id in page and "Succeeded" in page and "nurturing" in page
