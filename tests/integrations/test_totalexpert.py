"""Total Expert, driven through the real connector and client against a local fake of its API."""

import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from appointments import services as appointment_services
from appointments.slots import Slot
from calls.models import Call
from calls.services import _finish as finish_call
from conversations import services as conversation_services
from integrations import services
from integrations.connectors import get_connector
from integrations.connectors.base import Activity
from integrations.models import CrmIntegration, CrmRecord, Delivery, DeliveryStatus
from leads import services as lead_services
from leads.models import Lead
from tests.factories import LeadFactory, LoanOfficerFactory
from tests.fakes.totalexpert import FakeTotalExpert

pytestmark = pytest.mark.django_db

LEAD = {"first_name": "Ana", "phone": "(512) 555-0100", "email": "ana@example.com", "source": "paid",
        "sms_consent": True, "consent_text": "I agree to texts.", "state": "TX", "loan_purpose": "refinance",
        "credit": "good", "preapproved": False}  # fmt: skip
OPS = "ops@lender.example.com"  # the integration's default owner (conftest)
AT = datetime(2026, 3, 4, 21, 0, tzinfo=UTC)  # a Wednesday afternoon in Texas


@pytest.fixture
def integration(te_integration):
    return te_integration


def change_status(lead, run_tasks, status="nurturing"):
    with run_tasks():
        lead_services.lead_set_status(lead=lead, status=status, actor="system")


def post_lead(api, run_tasks, **fields) -> Lead:
    with run_tasks():
        lead_id = api.post("/api/v1/leads/", {**LEAD, **fields}, format="json").json()["id"]
    return Lead.objects.get(pk=lead_id)


def test_a_new_lead_becomes_a_contact_with_its_qualification_and_our_id(
    api, totalexpert, integration, run_tasks
):
    lead = post_lead(api, run_tasks)

    assert totalexpert.problems == []
    [(contact_id, contact)] = totalexpert.contacts.items()
    assert contact["first_name"] == "Ana" and contact["last_name"] == "(not given)"
    assert contact["phone_cell"] == "(512)555-0100" and contact["email"] == "ana@example.com"
    assert contact["state"] == "TX" and contact["source"] == "Mortgage SMS (paid)"
    assert contact["credit_score"] == "Good"
    assert contact["external_ids"] == [{"source": "Mortgage SMS", "external_id": str(lead.pk)}]
    assert totalexpert.custom_value(contact_id, "msms_loan_purpose") == "refinance"
    assert totalexpert.custom_value(contact_id, "msms_preapproved") == "False"
    assert totalexpert.custom_value(contact_id, "msms_status") == "contacted"
    assert totalexpert.users[contact["owner_id"]]["email"] == OPS  # no officer yet: the default owner
    record = CrmRecord.objects.get(object_type="lead")
    assert record.remote_id == str(contact_id) and record.local_id == str(lead.pk)


def borrower_texts(lead, body, run_tasks, sid):
    with run_tasks():
        conversation_services.inbound_receive(
            from_number=lead.phone, to_number="+15125550000", body=body, provider_sid=sid
        )


def test_every_text_is_a_note_on_the_contact(api, totalexpert, integration, run_tasks):
    lead = post_lead(api, run_tasks)  # our first text goes out with it
    borrower_texts(lead, "Rates <today>?\nCall me", run_tasks, "SM1")

    assert totalexpert.problems == []
    [contact_id] = totalexpert.contacts
    notes = totalexpert.notes
    assert [n["type_id"] for n in notes][:2] == [9, 10]  # our first text, then the borrower's reply
    assert notes[0]["title"] == "SMS to borrower (agent)" and notes[0]["contact"] == {"id": contact_id}
    assert notes[1]["title"] == "SMS from borrower"
    assert notes[1]["note"].startswith("Rates &lt;today&gt;?<br/>Call me<br/>")  # escaped: notes are HTML
    assert all(n["owner"] == {"id": totalexpert.contacts[contact_id]["owner_id"]} for n in notes)


@pytest.mark.parametrize(("kind", "type_id"), [("call", 7), ("appointment", 25), ("sms_sent", 9)])
def test_any_activity_kind_is_logged_with_its_note_type(totalexpert, integration, kind, type_id):
    connector = get_connector(integration)
    contact_id = connector.push_lead(LeadFactory(), remote_id=None, set_owner=True)
    activity = Activity(kind, timezone.now(), "Call with Ray (4 min)", "Talked about timing.")

    note_id = connector.log_activity(remote_lead_id=contact_id, activity=activity)

    assert totalexpert.problems == []
    [note] = totalexpert.notes
    assert str(note["id"]) == note_id and note["type_id"] == type_id and note["title"] == activity.summary


def test_the_contact_is_owned_by_the_officer_found_by_email_or_nmls_id(totalexpert, integration, run_tasks):
    ray = totalexpert.add_user(email="ray@lender.example.com")
    eva = totalexpert.add_user(email="eva.perez@lender.example.com", external_id="654321")
    ray_lead, eva_lead = LeadFactory(email="ana@example.com"), LeadFactory(email="bo@example.com")
    with run_tasks():
        lead_services.lead_assign(
            lead=ray_lead, officer=LoanOfficerFactory(email="ray@lender.example.com"), actor="r"
        )
        # Eva's e-mail here is not her Total Expert login: her NMLS ID is her user's external id.
        officer = LoanOfficerFactory(email="eva@lender.example.com", nmls_id="654321")
        lead_services.lead_assign(lead=eva_lead, officer=officer, actor="routing")

    assert totalexpert.problems == []
    owners = {c["external_ids"][0]["external_id"]: c["owner_id"] for c in totalexpert.contacts.values()}
    assert owners == {str(ray_lead.pk): ray, str(eva_lead.pk): eva}


def test_a_newly_assigned_officer_takes_over_the_contact(api, totalexpert, integration, run_tasks):
    ray = totalexpert.add_user(email="ray@lender.example.com")
    lead = post_lead(api, run_tasks)
    with run_tasks():
        lead_services.lead_assign(
            lead=lead, officer=LoanOfficerFactory(email="ray@lender.example.com"), actor="r"
        )

    assert totalexpert.problems == []
    [contact] = totalexpert.contacts.values()  # the same contact, not a second one
    assert contact["owner_id"] == ray


def test_it_finds_a_contact_already_in_total_expert_by_phone_then_by_email(
    totalexpert, integration, run_tasks
):
    by_phone = totalexpert.add_contact(first_name="Ana", last_name="Diaz", phone_cell="512-555-0100")
    by_email = totalexpert.add_contact(first_name="Bo", last_name="Li", email="bo@example.com")
    change_status(LeadFactory(last_name="", phone="+15125550100", email="ana@example.com"), run_tasks)
    change_status(LeadFactory(phone="+15125550199", email="bo@example.com"), run_tasks)

    assert totalexpert.problems == []
    assert len(totalexpert.contacts) == 2
    assert totalexpert.contacts[by_phone]["last_name"] == "Diaz"  # kept: we had no last name to give
    assert [e["source"] for e in totalexpert.contacts[by_email]["external_ids"]] == ["Mortgage SMS"]
    assert len(totalexpert.requests_to("PATCH", "/v1/contacts/")) == 2


def test_later_changes_update_the_same_contact_by_its_remembered_id(totalexpert, integration, run_tasks):
    lead = LeadFactory(credit=None)
    change_status(lead, run_tasks, "nurturing")
    change_status(lead, run_tasks, "unresponsive")

    [(contact_id, contact)] = totalexpert.contacts.items()
    assert totalexpert.custom_value(contact_id, "msms_status") == "unresponsive"
    assert [r.path for r in totalexpert.requests_to("PATCH", "/v1/contacts/")] == [
        f"/v1/contacts/{contact_id}"
    ]
    assert "credit_score" not in contact  # unknown values are left out, not sent blank


def test_a_stop_reaches_total_expert_sms_opt_outs_and_a_start_opts_back_in(
    api, totalexpert, integration, run_tasks
):
    lead = post_lead(api, run_tasks)
    borrower_texts(lead, "STOP", run_tasks, "SM1")
    borrower_texts(lead, "START", run_tasks, "SM2")

    assert totalexpert.problems == []
    assert totalexpert.opt_outs == [{"phone_number": "(512)555-0100"}]
    [contact] = totalexpert.contacts.values()
    assert totalexpert.opt_ins == [
        {"phone_number": "(512)555-0100", "user": {"id": contact["owner_id"]}, "status": "OPTED_IN"}
    ]


def test_the_opt_out_is_written_even_when_the_contact_cannot_be(totalexpert, integration, run_tasks):
    totalexpert.custom_fields.clear()  # Total Expert refuses the contact: its custom fields are missing
    lead = LeadFactory(phone="+15125550123")
    with run_tasks():
        lead_services.lead_opt_out(lead=lead, words="STOP")

    assert totalexpert.opt_outs == [{"phone_number": "(512)555-0123"}]
    delivery = Delivery.objects.get(event__type="lead.opted_out")
    assert delivery.status == DeliveryStatus.FAILED and "Unknown custom field" in delivery.last_error


def test_a_mapping_edited_in_the_admin_changes_what_is_sent(totalexpert, integration, run_tasks):
    integration.field_mapping = {"id": "external_id", "first_name": "first_name", "last_name": "last_name",
                                 "phone": "phone_home", "source": "source"}  # fmt: skip
    integration.save()
    change_status(LeadFactory(first_name="Ana", last_name="Diaz", phone="+15125550100"), run_tasks)

    assert totalexpert.problems == []
    [(_contact_id, contact)] = totalexpert.contacts.items()
    assert contact["phone_home"] == "(512)555-0100" and "phone_cell" not in contact
    assert contact["custom"] == [] and "email" not in contact


# --- OAuth and errors ---------------------------------------------------------------------------


def test_one_token_serves_every_call_until_it_expires_then_it_is_renewed_once(
    totalexpert, integration, run_tasks
):
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    change_status(lead, run_tasks, "unresponsive")
    assert totalexpert.token_requests == 1

    totalexpert.expire_tokens()  # Total Expert answers 401: the token is renewed and the call made again
    change_status(lead, run_tasks, "nurturing")

    assert totalexpert.token_requests == 2
    assert [d.status for d in Delivery.objects.order_by("pk")] == ["succeeded"] * 3
    for request in totalexpert.requests_to("PATCH", "/v1/contacts/"):
        assert request.headers["authorization"].startswith("Bearer ")


def test_a_401_with_a_fresh_token_switches_the_integration_off_and_tells_ops(
    totalexpert, integration, run_tasks, settings
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    totalexpert.tokens_work = False
    change_status(LeadFactory(), run_tasks)

    integration.refresh_from_db()
    assert not integration.active and "401" in integration.disabled_reason
    assert totalexpert.token_requests == 2  # the first token, then one renewal: no loop
    assert Delivery.objects.get().status == DeliveryStatus.PENDING  # waits for the operator
    assert "Total Expert" in mail.outbox[0].subject


def test_refused_client_credentials_say_so(totalexpert, integration, run_tasks):
    CrmIntegration.objects.filter(pk=integration.pk).update(client_secret="wrong")
    change_status(LeadFactory(), run_tasks)

    integration.refresh_from_db()
    assert not integration.active and "invalid_client" in integration.disabled_reason


def test_a_429_waits_as_long_as_total_expert_asks(clock, totalexpert, integration, sweep, run_tasks):
    totalexpert.fail_next(429, headers={"Retry-After": "40"}, body={"error": "Too many requests"})
    change_status(LeadFactory(), run_tasks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.last_status_code == 429
    assert delivery.next_attempt_at == timezone.now() + timedelta(seconds=40)
    clock.shift(40)
    sweep()
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED


def test_a_500_is_retried_on_the_delivery_schedule_and_shows_in_the_admin(
    admin_client, clock, totalexpert, integration, sweep, run_tasks
):
    lead = LeadFactory()
    change_status(lead, run_tasks, "nurturing")
    totalexpert.fail_next(500, body={"error": "Internal error"})
    change_status(lead, run_tasks, "unresponsive")
    assert Delivery.objects.latest("pk").next_attempt_at == timezone.now() + timedelta(seconds=5)

    page = admin_client.get("/admin/integrations/crmintegration/").content.decode()
    assert "failing since" in page and "Total Expert HTTP 500" in page
    clock.shift(5)
    sweep()
    assert Delivery.objects.latest("pk").status == DeliveryStatus.SUCCEEDED
    assert totalexpert.custom_value(*totalexpert.contacts, "msms_status") == "unresponsive"
    integration.refresh_from_db()
    assert integration.failing_since is None and integration.last_success_at == timezone.now()


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: a Total Expert that times out."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()
    for connection, _ in accepted:
        connection.close()


def test_a_timeout_is_retried_later(silent_server, totalexpert, integration, run_tasks, settings):
    settings.TOTAL_EXPERT_API_BASE_URL = silent_server
    settings.CRM_TIMEOUT_SECONDS = 0.2
    change_status(LeadFactory(), run_tasks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and "timed out" in delivery.last_error.lower()
    integration.refresh_from_db()
    assert integration.active


# --- Where the credentials come from ---------------------------------------------------------------


def test_with_a_client_id_in_the_environment_every_event_reaches_total_expert(
    totalexpert, settings, run_tasks
):
    settings.TOTAL_EXPERT_CLIENT_ID = totalexpert.client_id
    settings.TOTAL_EXPERT_CLIENT_SECRET = totalexpert.client_secret
    totalexpert.add_user(email="ray@lender.example.com")
    with run_tasks():
        lead_services.lead_assign(
            lead=LeadFactory(), officer=LoanOfficerFactory(email="ray@lender.example.com"), actor="routing"
        )

    integration = CrmIntegration.objects.get()
    assert integration.kind == "total_expert" and integration.client_secret == ""
    assert Delivery.objects.get().status == DeliveryStatus.SUCCEEDED
    assert len(totalexpert.contacts) == 1


def test_the_environment_integration_is_made_once_and_stays_off_when_switched_off(
    totalexpert, settings, run_tasks
):
    settings.TOTAL_EXPERT_CLIENT_ID = totalexpert.client_id
    settings.TOTAL_EXPERT_CLIENT_SECRET = totalexpert.client_secret
    change_status(LeadFactory(), run_tasks)
    CrmIntegration.objects.update(active=False)
    change_status(LeadFactory(), run_tasks)

    assert CrmIntegration.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_environment_secrets_never_go_to_a_base_url_set_in_the_admin(totalexpert, settings, run_tasks):
    settings.TOTAL_EXPERT_CLIENT_ID = totalexpert.client_id
    settings.TOTAL_EXPERT_CLIENT_SECRET = totalexpert.client_secret
    with FakeTotalExpert() as elsewhere:
        services.crm_integration_save(
            integration=CrmIntegration(name="Other", kind="total_expert", api_base_url=elsewhere.url)
        )
        change_status(LeadFactory(), run_tasks)

        assert elsewhere.requests == []
    integration = CrmIntegration.objects.get()
    assert not integration.active and "TOTAL_EXPERT_API_BASE_URL" in integration.disabled_reason


def test_a_base_url_set_in_the_admin_works_with_credentials_set_there(run_tasks):
    with FakeTotalExpert(client_id="sandbox", client_secret="sandbox-secret") as sandbox:
        sandbox.add_user(email=OPS)
        services.crm_integration_save(
            integration=CrmIntegration(
                name="Sandbox",
                kind="total_expert",
                api_base_url=sandbox.url + "/v1",
                client_id="sandbox",
                client_secret="sandbox-secret",
                default_owner=OPS,
            )
        )
        change_status(LeadFactory(), run_tasks)

        assert sandbox.problems == [] and len(sandbox.contacts) == 1
        assert sandbox.requests[1].headers["host"] == sandbox.url.removeprefix("http://")


def test_a_base_url_set_in_the_admin_is_refused_when_it_is_private(settings, run_tasks):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False
    with FakeTotalExpert() as internal:
        port = internal.url.rsplit(":", 1)[1]
        services.crm_integration_save(
            integration=CrmIntegration(
                name="Internal",
                kind="total_expert",
                api_base_url=f"https://localhost:{port}",
                client_id="a",
                client_secret="b",
            )
        )
        change_status(LeadFactory(), run_tasks)

        assert internal.requests == []
    assert "loopback, private or reserved" in Delivery.objects.get().last_error


def test_each_event_costs_few_calls_against_total_expert_rate_limit(api, totalexpert, integration, run_tasks):
    """Total Expert allows 1,000 requests a minute: docs/totalexpert.md quotes these counts."""
    totalexpert.add_user(email="ray@lender.example.com")
    with run_tasks():
        lead_id = api.post("/api/v1/leads/", {**LEAD, "sms_consent": False}, format="json").json()["id"]
    lead = Lead.objects.get(pk=lead_id)
    new_lead = len(totalexpert.requests)  # the token, three lookups, the POST
    change_status(lead, run_tasks, "nurturing")
    change = len(totalexpert.requests) - new_lead
    with run_tasks():
        lead_services.lead_assign(
            lead=lead, officer=LoanOfficerFactory(email="ray@lender.example.com"), actor="r"
        )
    assignment = len(totalexpert.requests) - new_lead - change
    _log(integration, lead, "sms_sent")
    text = len(totalexpert.requests) - new_lead - change - assignment

    assert (new_lead, change, assignment, text) == (5, 1, 2, 2)


def _log(integration, lead, kind):
    record = CrmRecord.objects.get(object_type="lead", local_id=str(lead.pk))
    activity = Activity(kind, timezone.now(), "SMS to borrower (agent)", "Hello")
    get_connector(integration).log_activity(remote_lead_id=record.remote_id, activity=activity)


def test_without_an_owner_for_a_new_contact_it_says_to_set_a_default_owner(
    totalexpert, integration, run_tasks
):
    CrmIntegration.objects.filter(pk=integration.pk).update(default_owner="")
    change_status(LeadFactory(), run_tasks)

    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and "set a default owner" in delivery.last_error


def test_calls_and_appointments_are_notes_on_the_contact(totalexpert, integration, run_tasks):
    jane_user = totalexpert.add_user(email="jane@lender.example.com")
    jane = LoanOfficerFactory(name="Jane Ramirez", email="jane@lender.example.com", licensed_states=["TX"])
    maria = LeadFactory(first_name="Maria", state="TX", status="claimed", assigned_officer=jane)
    call = Call.objects.create(
        lead=maria, officer=jane, officer_number=jane.mobile_phone, borrower_number=maria.phone
    )
    with run_tasks():
        finish_call(call, "completed", note="Talked <timing>.", duration=252)
    with run_tasks():
        appointment = appointment_services.appointment_book(lead=maria, slot=Slot(AT, jane), actor="officer")
    with run_tasks():
        appointment_services.appointment_cancel(
            appointment=appointment, actor="officer", notify_borrower=False
        )

    assert totalexpert.problems == []
    [contact_id] = totalexpert.contacts
    assert totalexpert.contacts[contact_id]["owner_id"] == jane_user
    notes = [(n["type_id"], n["title"]) for n in totalexpert.notes if n["type_id"] != 9]  # not the texts
    assert notes == [
        (7, "Call by Jane Ramirez: completed, 4 min 12 s"),
        (25, "Appointment booked with Jane Ramirez"),
        (1, "Appointment cancelled with Jane Ramirez"),
    ]
    assert totalexpert.notes[0]["note"].startswith("Talked &lt;timing&gt;.")
