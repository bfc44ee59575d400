"""Connecting Total Expert in the admin: credentials, base URL, mapping, webhook subscription."""

import pytest

from integrations.connectors.totalexpert import TotalExpertConnector
from integrations.models import CrmIntegration, CrmRecord

pytestmark = pytest.mark.django_db

SECRET = "te-client-secret-0123456789abcdef"


def form(**overrides):
    data = {
        "name": "Total Expert", "kind": "total_expert", "active": "on", "events": ["lead.created"],
        "api_client": "", "field_mapping": "", "instance_url": "", "api_base_url": "", "client_id": "te-id",
        "access_token": "", "client_secret": SECRET, "default_owner": "ops@lender.example.com",
        "webhook_secret": "",
    }  # fmt: skip
    return {**data, **overrides}


def test_a_total_expert_integration_gets_its_mapping_and_never_shows_its_secrets(admin_client):
    admin_client.post(
        "/admin/integrations/crmintegration/add/", form(webhook_secret="whsecret-abcdef-123456-XYZW")
    )

    integration = CrmIntegration.objects.get()
    assert integration.field_mapping == TotalExpertConnector.default_mapping
    assert integration.client_secret == SECRET and integration.webhook_secret.endswith("XYZW")
    page = admin_client.get(f"/admin/integrations/crmintegration/{integration.pk}/change/").content.decode()
    assert SECRET not in page and "whsecret-abcdef-123456-XYZW" not in page and "cdef" in page
    assert f"https://sms.example.com/webhooks/totalexpert/{integration.pk}/" in page


def test_the_admin_refuses_a_mapping_to_a_field_total_expert_does_not_have(admin_client):
    response = admin_client.post(
        "/admin/integrations/crmintegration/add/",
        form(field_mapping='{"phone": "mobile", "credit": "custom.fico"}'),
    )
    assert "&#x27;mobile&#x27; is neither a Total Expert contact attribute" in response.content.decode()
    assert not CrmIntegration.objects.exists()


def test_a_base_url_set_in_the_admin_needs_credentials_set_there(admin_client):
    response = admin_client.post(
        "/admin/integrations/crmintegration/add/",
        form(api_base_url="https://8.8.8.8", client_id="", client_secret=""),
    )
    assert "the environment&#x27;s credentials are only sent to" in response.content.decode()
    assert not CrmIntegration.objects.exists()


def test_the_admin_refuses_a_private_base_url(admin_client, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    response = admin_client.post(
        "/admin/integrations/crmintegration/add/", form(api_base_url="https://169.254.169.254/")
    )
    assert "public addresses only" in response.content.decode()
    assert not CrmIntegration.objects.exists()


def test_the_subscribe_action_registers_our_url_with_a_new_secret_and_rotates_it(
    admin_client, totalexpert, te_integration
):
    def subscribe():
        return admin_client.post(
            "/admin/integrations/crmintegration/",
            {"action": "subscribe_total_expert_webhooks", "_selected_action": [te_integration.pk]},
            follow=True,
        )

    page = subscribe().content.decode()
    te_integration.refresh_from_db()
    first_secret = te_integration.webhook_secret
    [(subscription_id, subscription)] = totalexpert.subscriptions.items()
    url = f"https://sms.example.com/webhooks/totalexpert/{te_integration.pk}/"
    assert subscription == {
        "url": url, "secret": first_secret, "actions": [{"action": "UPDATED", "item": "CONTACT"}]
    }  # fmt: skip
    assert url in page and first_secret not in page and len(first_secret) == 64

    subscribe()
    te_integration.refresh_from_db()
    assert te_integration.webhook_secret != first_secret
    assert list(totalexpert.subscriptions) == [subscription_id]  # the same one, updated
    assert totalexpert.subscriptions[subscription_id]["secret"] == te_integration.webhook_secret
    assert CrmRecord.objects.get(object_type="subscription").remote_id == str(subscription_id)
    assert totalexpert.problems == []


def test_the_subscribe_action_says_why_total_expert_cannot_call_a_plain_http_address(
    admin_client, settings, totalexpert, te_integration
):
    settings.PUBLIC_BASE_URL = "http://127.0.0.1:8000"
    page = admin_client.post(
        "/admin/integrations/crmintegration/",
        {"action": "subscribe_total_expert_webhooks", "_selected_action": [te_integration.pk]},
        follow=True,
    ).content.decode()
    assert "only calls https addresses" in page and not totalexpert.subscriptions


def test_with_a_client_id_in_the_environment_ops_see_the_integration_before_any_event(admin_client, settings):
    settings.TOTAL_EXPERT_CLIENT_ID, settings.TOTAL_EXPERT_CLIENT_SECRET = "te-id", SECRET
    page = admin_client.get("/admin/integrations/crmintegration/").content.decode()
    assert "Total Expert (environment)" in page and "no delivery yet" in page


@pytest.mark.parametrize("page", ["crmnotification/", "crmintegration/add/"])
def test_the_total_expert_admin_pages_open(admin_client, page):
    assert admin_client.get(f"/admin/integrations/{page}").status_code == 200
