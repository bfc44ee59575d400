from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from conversations import services as conversation_services
from conversations.models import Kind, Sender
from integrations import services
from integrations.models import CrmIntegration, Delivery, DeliveryStatus
from leads import services as lead_services
from tests.factories import LeadFactory, LoanOfficerFactory, TextingLeadFactory
from tests.fakes.salesforce import FakeSalesforce

pytestmark = pytest.mark.django_db


@pytest.fixture
def salesforce(tmp_path, monkeypatch):
    fake = FakeSalesforce()
    with fake:
        # simple-salesforce only speaks https: requests trusts the fake's test CA.
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", fake.ca_bundle(tmp_path))
        yield fake
    cache.clear()


@pytest.fixture
def integration(salesforce):
    return services.crm_integration_save(
        integration=CrmIntegration(
            name="Salesforce",
            kind="salesforce",
            instance_url=salesforce.url,
            access_token=salesforce.issue_token(),
        )
    )


def change_status(lead, run_tasks, status="nurturing"):
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status=status, actor="system")


def test_it_upserts_the_lead_by_external_id_with_its_qualification(salesforce, integration, run_tasks):
    lead = LeadFactory(
        first_name="Ana", last_name="", loan_purpose="refinance", credit="good", preapproved=False
    )
    change_status(lead, run_tasks, "nurturing")
    change_status(lead, run_tasks, "unresponsive")

    assert salesforce.problems == []
    [record] = salesforce.leads.values()
    assert record["Msms_Lead_Id__c"] == str(lead.pk)
    assert record["FirstName"] == "Ana" and record["MobilePhone"] == lead.phone
    assert record["Msms_Loan_Purpose__c"] == "refinance" and record["Msms_Credit__c"] == "good"
    assert record["Msms_Preapproved__c"] is False and record["Msms_Timeline__c"] is None
    assert record["Msms_Status__c"] == "unresponsive"
    assert record["Company"] == "(individual borrower)" and record["LastName"] == "(not given)"


def test_it_leaves_a_company_typed_in_salesforce_alone(salesforce, integration, run_tasks):
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    [sf_id] = salesforce.leads
    salesforce.leads[sf_id]["Company"] = "Diaz Family Trust"
    change_status(lead, run_tasks, "unresponsive")
    assert salesforce.leads[sf_id]["Company"] == "Diaz Family Trust"


def test_it_logs_texts_as_tasks_and_sets_the_owner_from_the_officer(salesforce, integration, run_tasks):
    salesforce.users["ray@lender.example.com"] = "005000000000777"
    lead = TextingLeadFactory()  # just texted us: Ray's reply goes at any hour
    with run_tasks():
        lead_services.lead_assign(
            lead=lead, officer=LoanOfficerFactory(email="ray@lender.example.com"), actor="routing"
        )
    with run_tasks():
        conversation_services.send_sms(
            lead=lead, body="Hi, this is Ray.", kind=Kind.REPLY, sender=Sender.OFFICER
        )

    assert salesforce.problems == []
    [(sf_id, record)] = salesforce.leads.items()
    assert record["OwnerId"] == "005000000000777"
    [task] = salesforce.tasks
    assert task["WhoId"] == sf_id and task["Description"] == "Hi, this is Ray."
    assert task["Subject"] == "SMS to borrower (officer)"


def test_it_gets_a_token_with_client_credentials_and_renews_it_when_it_expires(salesforce, run_tasks):
    services.crm_integration_save(
        integration=CrmIntegration(
            name="Salesforce",
            kind="salesforce",
            instance_url=salesforce.url,
            client_id=salesforce.client_id,
            client_secret=salesforce.client_secret,
        )
    )
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    salesforce.expire_tokens()
    change_status(lead, run_tasks, "unresponsive")

    assert salesforce.token_requests == 2
    assert [d.status for d in Delivery.objects.order_by("pk")] == ["succeeded", "succeeded"]
    assert next(iter(salesforce.leads.values()))["Msms_Status__c"] == "unresponsive"


def test_a_rejected_token_switches_the_integration_off(salesforce, integration, run_tasks):
    CrmIntegration.objects.filter(pk=integration.pk).update(access_token="00D!expired")
    change_status(LeadFactory(), run_tasks)

    integration.refresh_from_db()
    assert not integration.active and "INVALID_SESSION_ID" in integration.disabled_reason
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_it_reports_an_unknown_field_and_moves_on(salesforce, integration, run_tasks):
    salesforce.fail_next(
        400, body=[{"errorCode": "INVALID_FIELD", "message": "No such column 'Msms_Credit__c'"}]
    )
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    change_status(lead, run_tasks, "unresponsive")

    failed, done = Delivery.objects.order_by("pk")
    assert failed.status == DeliveryStatus.FAILED and "INVALID_FIELD" in failed.last_error
    assert done.status == DeliveryStatus.SUCCEEDED
    integration.refresh_from_db()
    assert "No such column" in integration.last_failure_message and integration.last_success_at


def test_it_retries_an_unavailable_salesforce_when_it_asks(clock, salesforce, integration, sweep, run_tasks):
    salesforce.fail_next(503, headers={"Retry-After": "30"}, body=[{"errorCode": "SERVER_UNAVAILABLE"}])
    change_status(LeadFactory(), run_tasks)

    assert Delivery.objects.get().next_attempt_at == timezone.now() + timedelta(seconds=30)
    clock.shift(30)
    sweep()
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_it_waits_an_hour_when_the_daily_api_limit_is_spent(clock, salesforce, integration, run_tasks):
    salesforce.fail_next(
        403, body=[{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "TotalRequests Limit"}]
    )
    change_status(LeadFactory(), run_tasks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.next_attempt_at == timezone.now() + timedelta(hours=1)


def test_it_never_sends_the_servers_credentials_to_an_instance_url_typed_in_the_admin(
    salesforce, settings, run_tasks
):
    settings.SALESFORCE_INSTANCE_URL = "https://acme.my.salesforce.com"
    settings.SALESFORCE_CLIENT_ID = salesforce.client_id
    settings.SALESFORCE_CLIENT_SECRET = salesforce.client_secret
    integration = services.crm_integration_save(
        integration=CrmIntegration(name="Salesforce", kind="salesforce", instance_url=salesforce.url)
    )
    change_status(LeadFactory(), run_tasks)

    assert salesforce.requests == []
    integration.refresh_from_db()
    assert not integration.active and "SALESFORCE_INSTANCE_URL" in integration.disabled_reason


def test_it_uses_the_servers_credentials_for_the_servers_instance_url(salesforce, settings, run_tasks):
    settings.SALESFORCE_INSTANCE_URL = salesforce.url
    settings.SALESFORCE_CLIENT_ID = salesforce.client_id
    settings.SALESFORCE_CLIENT_SECRET = salesforce.client_secret
    services.crm_integration_save(integration=CrmIntegration(name="Salesforce", kind="salesforce"))
    change_status(LeadFactory(), run_tasks)

    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED and salesforce.token_requests == 1


def test_it_quotes_only_the_oauth_error_when_salesforce_refuses_the_credentials(salesforce, run_tasks):
    integration = services.crm_integration_save(
        integration=CrmIntegration(
            name="Salesforce",
            kind="salesforce",
            instance_url=salesforce.url,
            client_id=salesforce.client_id,
            client_secret="wrong",
        )
    )
    salesforce.fail_next(400, body={"error": "invalid_client", "internal": "db=10.0.0.5 user=sf"})
    change_status(LeadFactory(), run_tasks)

    integration.refresh_from_db()
    assert "invalid_client" in integration.disabled_reason
    assert "10.0.0.5" not in integration.disabled_reason


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254",
        "https://10.0.0.5",
        "https://crm.example.com",
        "https://acme.my.salesforce.com.evil.example",
        "http://acme.my.salesforce.com",
        "https://acme.my.salesforce.com:8443",
        "https://user:pw@acme.my.salesforce.com",
    ],
)
def test_it_refuses_an_instance_url_that_is_not_salesforces(settings, url, admin_client, run_tasks):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    form = {"name": "Salesforce", "kind": "salesforce", "active": "on", "events": ["lead.updated"]}
    form |= {"field_mapping": "{}", "instance_url": url, "client_id": "id", "client_secret": "secret"}

    response = admin_client.post("/admin/integrations/crmintegration/add/", form)

    [problem] = response.context["adminform"].form.errors["instance_url"]
    assert "salesforce.com" in problem
    assert not CrmIntegration.objects.exists()
    # One saved before this check existed is refused at send time, before any request.
    integration = CrmIntegration.objects.create(name="Old", kind="salesforce", instance_url=url)
    integration.client_id, integration.client_secret = "id", "secret"
    integration.save()
    change_status(LeadFactory(), run_tasks)
    integration.refresh_from_db()
    assert not integration.active


def test_it_accepts_a_salesforce_orgs_instance_url_in_the_admin(settings, admin_client):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    form = {"name": "Salesforce", "kind": "salesforce", "active": "on", "events": ["lead.updated"]}
    form |= {"field_mapping": "{}", "instance_url": "https://acme.my.salesforce.com", "client_id": "id"}

    admin_client.post("/admin/integrations/crmintegration/add/", form)

    assert CrmIntegration.objects.get().instance_url == "https://acme.my.salesforce.com"
