"""Each API client's token does only what its scopes allow: a web form's token posts leads and
reads nothing back."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from rest_framework.test import APIClient

from integrations.models import ApiClient
from integrations.services import api_client_create
from leads.models import Lead
from tests.factories import LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db

NEW_LEAD = {"first_name": "Ana", "phone": "512-555-0100", "sms_consent": True, "consent_text": "I agree"}


def client_with(*scopes) -> APIClient:
    _, token = api_client_create(name=f"Client {'+'.join(scopes)}", scopes=list(scopes))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_web_forms_token_posts_leads_and_reads_nothing_back():
    form = client_with("leads:create")
    lead = LeadFactory(first_name="Maria")
    MessageFactory(lead=lead, body="Hi Maria")

    assert form.post("/api/v1/leads/", NEW_LEAD).status_code == 201
    for url in ["/api/v1/leads/", f"/api/v1/leads/{lead.pk}/", f"/api/v1/leads/{lead.pk}/messages/",
                f"/api/v1/leads/{lead.pk}/events/", "/api/v1/webhooks/"]:  # fmt: skip
        response = form.get(url)
        assert response.status_code == 403, url
        assert "Maria" not in response.content.decode()
    assert form.get("/api/v1/leads/").json() == {"detail": "This token does not have the `leads:read` scope."}


def test_a_web_forms_token_posting_a_known_phone_learns_nothing_about_the_borrower():
    lead = LeadFactory(first_name="Maria", last_name="Lopez", email="maria@example.com", phone="+15125550100")

    response = client_with("leads:create").post("/api/v1/leads/", NEW_LEAD)

    assert response.status_code == 200  # the inquiry is added to her lead, as for any client
    assert response.json() == {"id": str(lead.pk), "not_texted_reason": None}
    assert lead.inquiries.count() == 1


def test_a_web_forms_token_hears_why_a_new_lead_is_not_texted():
    response = client_with("leads:create").post("/api/v1/leads/", {**NEW_LEAD, "consent_text": ""})

    assert response.status_code == 201
    assert response.json() == {"id": str(Lead.objects.get().pk), "not_texted_reason": "no_consent_text"}


def test_a_token_that_reads_leads_gets_the_lead_back():
    LeadFactory(first_name="Maria", phone="+15125550100")

    response = client_with("leads:create", "leads:read").post("/api/v1/leads/", NEW_LEAD)

    assert response.json()["first_name"] == "Maria" and response.json()["status"]


def test_a_web_forms_token_cannot_mark_a_borrower_do_not_contact():
    lead = LeadFactory(status="qualifying")

    response = client_with("leads:create").patch(f"/api/v1/leads/{lead.pk}/", {"status": "do_not_contact"})

    assert response.status_code == 403 and "leads:write" in response.json()["detail"]
    lead.refresh_from_db()
    assert lead.status == "qualifying" and not lead.do_not_contact


def test_a_read_only_token_reads_but_changes_nothing():
    reader = client_with("leads:read")
    lead = LeadFactory(status="qualifying")

    assert reader.get(f"/api/v1/leads/{lead.pk}/").status_code == 200
    assert reader.post("/api/v1/leads/", NEW_LEAD).status_code == 403
    assert reader.patch(f"/api/v1/leads/{lead.pk}/", {"status": "closed_lost"}).status_code == 403
    assert (
        reader.post("/api/v1/webhooks/", {"url": "https://8.8.8.8/h", "events": ["lead.created"]}).status_code
        == 403
    )
    assert Lead.objects.count() == 1


def test_webhooks_need_their_own_scope():
    crm = client_with("leads:read", "webhooks")

    response = crm.post("/api/v1/webhooks/", {"url": "https://8.8.8.8/hooks", "events": ["lead.created"]})

    assert response.status_code == 201


def test_create_api_client_takes_scopes_and_prints_the_token_alone_last(capsys):
    call_command("create_api_client", "Web form", "--scopes", "leads:create")

    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiClient.objects.get(name="Web form").scopes == ["leads:create"]
    form = APIClient()
    form.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert form.post("/api/v1/leads/", NEW_LEAD).status_code == 201
    assert form.get("/api/v1/leads/").status_code == 403


def test_create_api_client_gives_every_scope_by_default():
    call_command("create_api_client", "CRM")

    assert ApiClient.objects.get().scopes == [
        "leads:create", "leads:read", "leads:write", "webhooks", "metrics:read",
    ]  # fmt: skip


def test_create_api_client_refuses_an_unknown_scope_and_names_the_real_ones():
    with pytest.raises(CommandError, match=r"leads:delete.*Choose from: leads:create, leads:read"):
        call_command("create_api_client", "CRM", "--scopes", "leads:create,leads:delete")
    assert not ApiClient.objects.exists()


def test_ops_create_a_client_with_scopes_in_the_admin_and_see_the_token_once(admin_client):
    response = admin_client.post(
        "/admin/integrations/apiclient/add/",
        {"name": "Landing page", "scopes": ["leads:create"], "active": "on"},
        follow=True,
    )

    [message] = [m.message for m in response.context["messages"] if "shown this once" in m.message]
    token = message.rsplit(" ", 1)[-1]
    client = ApiClient.objects.get(name="Landing page")
    assert client.scopes == ["leads:create"] and token not in (client.token_hash, client.token_prefix)
    form = APIClient()
    form.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert form.post("/api/v1/leads/", NEW_LEAD).status_code == 201
    assert form.get("/api/v1/leads/").status_code == 403
    assert (
        token not in admin_client.get(f"/admin/integrations/apiclient/{client.pk}/change/").content.decode()
    )


@pytest.mark.django_db(transaction=True)
def test_clients_made_before_scopes_existed_keep_every_right():
    executor = MigrationExecutor(connection)
    executor.migrate([("integrations", "0005_call_and_appointment_events")])
    old_state = executor.loader.project_state([("integrations", "0005_call_and_appointment_events")])
    OldApiClient = old_state.apps.get_model("integrations", "ApiClient")
    OldApiClient.objects.create(name="Old CRM", token_prefix="msms_old", token_hash="0" * 64)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(ApiClient.objects.get(name="Old CRM").scopes) == {
        "leads:create", "leads:read", "leads:write", "webhooks", "metrics:read",
    }  # fmt: skip
