"""The Total Expert pages of the admin in Chromium at 1280 px: the integration (secrets never shown,
its webhook address and health) and the notifications Total Expert sent, with what each changed."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from integrations.connectors.totalexpert import TotalExpertConnector
from integrations.models import CrmIntegration, CrmNotification, InboundStatus
from tests.browser import DESKTOP, FITS, admin_log_in, chromium, screenshots  # noqa: F401
from tests.factories import LeadFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "te-client-secret-0123456789abcdef"
WEBHOOK_SECRET = "whsecret-9f86d0-abcdef-0a08"


def a_connected_integration() -> CrmIntegration:
    integration = CrmIntegration.objects.create(
        name="Total Expert", kind="total_expert", events=["lead.created", "lead.updated", "message.sent"],
        client_id="te-client-7f3a", client_secret=SECRET, default_owner="ops@lender.example.com",
        webhook_secret=WEBHOOK_SECRET, last_success_at=timezone.now(),
        field_mapping=TotalExpertConnector.default_mapping,
    )  # fmt: skip
    ana = LeadFactory(first_name="Ana", last_name="Díaz-Ruiz", phone="+15125550000")
    for remote_id, status, lead, outcome in (
        ("56495", InboundStatus.APPLIED, ana, "Applied last_name: Díaz-Ruiz, status: closed_won."),
        ("56495", InboundStatus.IGNORED, None, "Same hashValue as the last notification: nothing changed."),
        ("56501", InboundStatus.IGNORED, None, "Not a contact we made for a lead."),
    ):
        CrmNotification.objects.create(
            integration=integration, item="CONTACT", action="UPDATED", remote_id=remote_id,
            status=status, lead=lead, outcome=outcome, processed_at=timezone.now(),
        )  # fmt: skip
    return integration


def test_ops_read_the_total_expert_integration_and_its_notifications(live_server, chromium, screenshots):  # noqa: F811
    integration = a_connected_integration()
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")

    page.goto(f"{live_server.url}/admin/integrations/crmintegration/{integration.pk}/change/")
    expect(page.locator("h1")).to_have_text("Change CRM integration")
    expect(page.locator(".field-webhook_url")).to_contain_text(
        f"https://sms.example.com/webhooks/totalexpert/{integration.pk}/"
    )
    content = page.content()
    assert SECRET not in content and WEBHOOK_SECRET not in content
    assert page.evaluate(FITS)
    page.screenshot(path=screenshots / "admin-totalexpert-integration.png", full_page=True)

    page.goto(f"{live_server.url}/admin/integrations/crmnotification/")
    expect(page.locator("h1")).to_have_text("Select CRM notification to view")
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("Applied last_name: Díaz-Ruiz, status: closed_won.")
    expect(page.locator("#changelist-filter")).to_contain_text("Failed (gave up)")
    assert page.evaluate(FITS)
    page.screenshot(path=screenshots / "admin-crm-notifications.png", full_page=True)
