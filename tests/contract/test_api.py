"""The REST API as the design's public contract names it, called as a CRM would: a real token
from `create_api_client`, JSON in and out, every endpoint, field, value and filter."""

import base64
import hashlib
import hmac
import io
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from conversations.models import MessageStatus
from leads.choices import LoanPurpose
from tests.factories import LeadFactory, LoanOfficerFactory, MessageFactory

LEADS = "/api/v1/leads/"
QUALIFICATION = {
    "loan_purpose": ["purchase", "refinance", "cash_out_refinance", "heloc", "other"],
    "loan_type": ["conventional", "fha", "va", "usda", "jumbo", "unsure"],
    "timeline": ["0_30_days", "1_3_months", "3_6_months", "6_plus_months", "unsure"],
    "credit": ["excellent", "good", "fair", "poor", "unsure"],
}
BOOLEAN_FIELDS = ["preapproved", "has_agent", "property_found", "first_time_buyer"]
SOURCES = ["web", "paid", "referral", "organic", "crm", "import", "other"]
STATUSES = [
    "new",
    "contacted",
    "qualifying",
    "qualified",
    "offered",
    "claimed",
    "closed_won",
    "closed_lost",
    "nurturing",
    "unresponsive",
    "disqualified",
    "opted_out",
    "do_not_contact",
]
EVENT_TYPES = [
    "lead.created",
    "lead.updated",
    "lead.assigned",
    "lead.opted_out",
    "message.received",
    "message.sent",
    "call.completed",
    "appointment.booked",
    "appointment.rescheduled",
    "appointment.cancelled",
]
CONSENT = "I agree to receive texts from Acme Home Loans about my inquiry. Reply STOP to opt out."


@pytest.fixture
def crm(db):
    """A client made as the README says: `manage.py create_api_client`, token on the last line."""
    out = io.StringIO()
    call_command("create_api_client", "Contract CRM", stdout=out, stderr=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().splitlines()[-1]}")
    return client


def a_lead(**fields):
    return {
        "first_name": "Ana",
        "last_name": "López",
        "phone": "(512) 555-0142",
        "email": "ana@example.com",
        "state": "TX",
        "zip_code": "78701",
        "source": "web",
        "sms_consent": True,
        "consent_text": CONSENT,
        **fields,
    }


def test_it_refuses_a_request_without_a_token(db):
    response = APIClient().get(LEADS)

    assert response.status_code == 401 and response["Content-Type"] == "application/json"


def test_post_takes_every_field_the_contract_names(crm, django_capture_on_commit_callbacks):
    posted = a_lead(
        source_detail="Spring landing page",
        external_id="crm-42",
        consent_ip="203.0.113.9",
        consent_user_agent="Mozilla/5.0",
        consent_page_url="https://example.com/apply",
        trustedform_cert_url="https://cert.trustedform.com/0123456789abcdef0123456789abcdef01234567",
        jornaya_leadid="ABCDEF01-2345-6789-ABCD-EF0123456789",
        loan_purpose="purchase",
        loan_type="fha",
        timeline="1_3_months",
        preapproved=False,
        has_agent=True,
        property_found=False,
        property_state="TX",
        credit="good",
        first_time_buyer=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = crm.post(LEADS, posted, format="json")

    assert response.status_code == 201, response.json()
    lead = response.json()
    assert uuid.UUID(lead["id"])
    assert lead["phone"] == "+15125550142"
    assert (lead["first_name"], lead["last_name"], lead["email"]) == ("Ana", "López", "ana@example.com")
    assert (lead["state"], lead["zip_code"], lead["source"]) == ("TX", "78701", "web")
    assert lead["qualification"]["loan_type"] == "fha" and lead["qualification"]["first_time_buyer"] is True
    assert lead["temperature"] in ("hot", "warm", "cold")
    assert lead["status"] in STATUSES
    assert {"assigned_officer", "nurture", "created_at", "first_contact_at"} <= set(lead)


def test_a_lead_shows_its_qualification_with_every_field_unknown_as_null(crm):
    lead = crm.get(f"{LEADS}{LeadFactory().id}/").json()

    assert set(lead["qualification"]) >= {*QUALIFICATION, *BOOLEAN_FIELDS, "property_state"}
    assert lead["assigned_officer"] is None or set(lead["assigned_officer"]) == {"id", "name", "nmls_id"}


@pytest.mark.parametrize(("field", "value"), [(f, v) for f, values in QUALIFICATION.items() for v in values])
def test_post_takes_each_qualification_value(crm, field, value):
    response = crm.post(LEADS, a_lead(**{field: value}), format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["qualification"][field] == value


@pytest.mark.parametrize("source", SOURCES)
def test_post_takes_each_source(crm, source):
    response = crm.post(LEADS, a_lead(source=source), format="json")

    assert response.status_code == 201 and response.json()["source"] == source


def test_only_the_phone_is_required(crm):
    response = crm.post(LEADS, {"phone": "+15125550143"}, format="json")

    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("consent", ["yes", "true", 1, None])
def test_sms_consent_must_be_a_json_boolean(crm, consent):
    response = crm.post(LEADS, a_lead(sms_consent=consent), format="json")

    assert response.status_code == 400 and "sms_consent" in response.json()


def test_unknown_fields_are_a_400_naming_them(crm):
    response = crm.post(LEADS, a_lead(favourite_colour="blue"), format="json")

    assert response.status_code == 400 and "favourite_colour" in str(response.json())


def test_bad_input_gets_a_message_per_field_and_nothing_is_stored(crm):
    response = crm.post(LEADS, a_lead(phone="12", email="nope", loan_type="balloon"), format="json")

    assert response.status_code == 400
    assert {"phone", "email", "loan_type"} <= set(response.json())
    assert crm.get(LEADS).json()["count"] == 0


def test_the_same_phone_again_is_a_200_with_the_same_lead(crm):
    first = crm.post(LEADS, a_lead(), format="json")
    again = crm.post(LEADS, a_lead(phone="512-555-0142"), format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]


def test_an_idempotency_key_replays_the_first_answer(crm):
    first = crm.post(LEADS, a_lead(), format="json", HTTP_IDEMPOTENCY_KEY="form-7")
    again = crm.post(LEADS, a_lead(), format="json", HTTP_IDEMPOTENCY_KEY="form-7")

    assert again.status_code == first.status_code == 201
    assert again.json()["id"] == first.json()["id"]


@pytest.mark.parametrize("status", STATUSES)
def test_the_list_filters_on_each_status(crm, status):
    LeadFactory(status=status)
    other = "new" if status != "new" else "claimed"
    LeadFactory(status=other)

    results = crm.get(LEADS, {"status": status}).json()["results"]

    assert [lead["status"] for lead in results] == [status]


@pytest.mark.parametrize(
    "since", ["2026-11-30T00:00:00Z", "2026-11-30T00:00:00+00:00", "2026-11-30", "2026-11-30T00:00:00"]
)
def test_the_list_filters_on_updated_since(crm, since):
    LeadFactory()

    response = crm.get(LEADS, {"updated_since": since})

    assert response.status_code == 200 and response.json()["count"] in (0, 1)


def test_lists_are_paginated_objects(crm):
    LeadFactory()
    lead_id = LeadFactory().id
    for url in [
        LEADS,
        f"{LEADS}{lead_id}/messages/",
        f"{LEADS}{lead_id}/events/",
        f"{LEADS}{lead_id}/appointments/",
        "/api/v1/dnc/",
        "/api/v1/webhooks/",
    ]:
        body = crm.get(url).json()
        assert set(body) == {"count", "next", "previous", "results"}, url


def test_patch_takes_a_status_from_the_crm(crm):
    lead = LeadFactory(status="claimed", assigned_officer=LoanOfficerFactory())

    won = crm.patch(f"{LEADS}{lead.id}/", {"status": "closed_won"}, format="json")
    dnc = crm.patch(f"{LEADS}{LeadFactory().id}/", {"status": "do_not_contact"}, format="json")

    assert (won.status_code, won.json()["status"]) == (200, "closed_won")
    assert (dnc.status_code, dnc.json()["status"]) == (200, "do_not_contact")


def test_an_assigned_lead_names_its_officer(crm):
    officer = LoanOfficerFactory(name="Jo Officer", nmls_id="445566")
    lead = LeadFactory(status="claimed", assigned_officer=officer)

    shown = crm.get(f"{LEADS}{lead.id}/").json()["assigned_officer"]

    assert shown == {"id": shown["id"], "name": "Jo Officer", "nmls_id": "445566"}


def test_messages_come_oldest_first_with_their_fields(crm):
    lead = LeadFactory()
    MessageFactory(lead=lead, direction="inbound", body="hi", status="received", sender="borrower")
    MessageFactory(lead=lead, direction="outbound", body="hello", status="sent", sender="agent")

    results = crm.get(f"{LEADS}{lead.id}/messages/").json()["results"]

    assert [m["body"] for m in results] == ["hi", "hello"]
    assert set(results[0]) >= {"id", "direction", "body", "status", "sender", "created_at"}
    assert [(m["direction"], m["status"], m["sender"]) for m in results] == [
        ("inbound", "received", "borrower"),
        ("outbound", "sent", "agent"),
    ]


def test_events_are_the_timeline(crm, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead_id = crm.post(LEADS, a_lead(), format="json").json()["id"]

    events = crm.get(f"{LEADS}{lead_id}/events/").json()["results"]

    assert events, "a new lead has at least its creation on the timeline"


def test_metrics_give_the_funnel_for_a_date_range(crm):
    LeadFactory(source="web")

    today = timezone.localdate()
    week = {"since": str(today - timedelta(days=7)), "until": str(today + timedelta(days=1))}
    response = crm.get("/api/v1/metrics/", week)

    body = response.json()
    assert response.status_code == 200
    funnel = ["leads", "texted", "replied", "qualified", "offered", "claimed", "won", "lost", "opted_out"]
    assert set(funnel) <= set(body) and body["leads"] == 1
    assert set(body["speed_to_lead_seconds"]) == {"p50", "p95"}
    assert set(body["by_source"][0]) >= {
        "source",
        "leads",
        "texted",
        "replied",
        "qualified",
        "claimed",
        "won",
    }


def test_the_dnc_list_takes_and_lists_numbers(crm):
    created = crm.post("/api/v1/dnc/", {"phone": "(512) 555-0199", "reason": "asked by phone"}, format="json")

    listed = crm.get("/api/v1/dnc/").json()["results"]

    assert created.status_code == 201
    assert [(n["phone"], n["reason"]) for n in listed] == [("+15125550199", "asked by phone")]


def test_a_webhook_subscription_takes_every_event_and_shows_its_secret_once(crm):
    created = crm.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hooks", "events": EVENT_TYPES}, format="json"
    )

    body = created.json()
    assert created.status_code == 201, body
    assert body["secret"].startswith("whsec_") and base64.b64decode(body["secret"][6:])
    assert "secret" not in crm.get(f"/api/v1/webhooks/{body['id']}/").json()
    assert "secret" not in crm.get("/api/v1/webhooks/").json()["results"][0]


def test_deliveries_follow_standard_webhooks(crm):
    from standardwebhooks import Webhook

    from integrations.webhooks import signed_headers

    secret = crm.post(
        "/api/v1/webhooks/", {"url": "http://127.0.0.1:9/hooks", "events": ["lead.created"]}, format="json"
    ).json()["secret"]
    body = '{"type": "lead.created"}'
    headers = signed_headers(secret=secret, msg_id="msg_1", body=body, now=timezone.now())

    assert Webhook(secret).verify(body, headers)
    assert headers["webhook-signature"].startswith("v1,")
    expected = hmac.new(
        base64.b64decode(secret[6:]), f"msg_1.{headers['webhook-timestamp']}.{body}".encode(), hashlib.sha256
    )
    assert headers["webhook-signature"] == "v1," + base64.b64encode(expected.digest()).decode()


def test_errors_are_json(crm):
    for response in [
        crm.get(f"{LEADS}{uuid.uuid4()}/"),
        crm.post(LEADS, {}, format="json"),
        crm.get("/api/v1/nothing/"),
    ]:
        assert response["Content-Type"] == "application/json" and response.json()


def test_the_schema_and_the_docs_answer(crm):
    schema = crm.get("/api/schema/")
    docs = crm.get("/api/docs/")

    assert schema.status_code == 200 and b"/api/v1/leads/" in schema.content
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
    assert LoanPurpose.CASH_OUT_REFINANCE.value.encode() in schema.content


def test_the_schema_names_the_contracts_values(crm):
    schemas = crm.get("/api/schema/", {"format": "json"}).json()["components"]["schemas"]
    enums = [set(schema["enum"]) for schema in schemas.values() if "enum" in schema]
    message_statuses = {
        "queued",
        "sending",
        "sent",
        "delivered",
        "undelivered",
        "failed",
        "unknown",
        "received",
    }

    assert set(STATUSES) in enums and set(SOURCES) in enums and set(EVENT_TYPES) in enums
    assert {"borrower", "agent", "officer", "nurture", "system"} in enums
    assert message_statuses in enums and message_statuses == set(MessageStatus.values)
    assert all(
        set(values) | ({None} if None in values else set()) in enums for values in QUALIFICATION.values()
    )
