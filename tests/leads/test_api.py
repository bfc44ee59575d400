import uuid
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from conversations.models import Message
from leads.models import Inquiry, Lead, LeadEvent
from tests.factories import LeadFactory, LoanOfficerFactory

pytestmark = pytest.mark.django_db

LEADS = "/api/v1/leads/"


def new_lead(**overrides):
    body = {
        "first_name": "Ana",
        "last_name": "Lopez",
        "phone": "(512) 555-0100",
        "email": "ana@example.com",
        "state": "tx",
        "zip_code": "78701",
        "source": "paid",
        "source_detail": "Zillow spring campaign",
        "external_id": "crm-42",
        "sms_consent": True,
        "consent_text": "By checking this box I agree to receive texts from Acme Home Loans.",
    }
    body.update(overrides)
    return body


class TestCreate:
    def test_it_creates_a_lead_and_texts_the_borrower_at_once(self, api, run_tasks):
        with run_tasks():
            response = api.post(LEADS, new_lead(loan_purpose="purchase"), format="json")

        assert response.status_code == 201
        lead = response.json()
        assert lead["phone"] == "+15125550100"
        assert lead["state"] == "TX"
        assert lead["qualification"]["loan_purpose"] == "purchase"
        assert lead["qualification"]["loan_type"] is None
        assert lead["assigned_officer"] is None
        text = Message.objects.get(lead_id=lead["id"])
        assert text.status == "sent"
        assert text.body.startswith("Hi Ana, it's Acme Home Loans (NMLS #")
        assert "home purchase" in text.body
        # The carriers' first-text disclosures, then the question, asked last.
        assert (
            "Msg frequency varies; msg & data rates may apply. Reply HELP for help, STOP to opt out."
            in text.body
        )
        again = api.get(f"{LEADS}{lead['id']}/").json()
        assert again["status"] == "contacted"
        assert again["first_contact_at"] is not None

    def test_it_keeps_the_consent_record(self, api, run_tasks):
        with run_tasks():
            lead_id = api.post(LEADS, new_lead(), format="json").json()["id"]

        lead = Lead.objects.get(pk=lead_id)
        assert lead.consent_text.startswith("By checking this box")
        assert lead.consent_at is not None
        assert lead.consent_source == "paid inquiry via api:Test CRM"
        assert Inquiry.objects.get(lead=lead).payload["external_id"] == "crm-42"

    def test_it_stores_a_lead_without_consent_and_never_texts_it(self, api, run_tasks):
        with run_tasks():
            response = api.post(LEADS, new_lead(sms_consent=False, consent_text=""), format="json")

        assert response.status_code == 201
        assert response.json()["status"] == "new"
        assert not Message.objects.exists()
        event = LeadEvent.objects.get(type="not_contacted")
        assert event.data["reason"] == "no_consent"

    @pytest.mark.parametrize(
        "field, value",
        [
            ("phone", "555-0100"),
            ("phone", "not a phone"),
            ("phone", "+44 20 7946 0958"),
            ("state", "XX"),
            ("email", "ana@"),
            ("source", "billboard"),
            ("first_name", "A" * 81),
            ("zip_code", "7870"),
            ("loan_type", "subprime"),
            ("timeline", "tomorrow"),
            ("preapproved", "maybe"),
        ],
    )
    def test_it_rejects_bad_input_naming_the_field_and_stores_nothing(self, api, field, value):
        response = api.post(LEADS, new_lead(**{field: value}), format="json")

        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert response.json()[field][0]
        assert not Lead.objects.exists()
        assert not Inquiry.objects.exists()

    def test_it_requires_a_phone(self, api):
        body = new_lead()
        del body["phone"]

        response = api.post(LEADS, body, format="json")

        assert response.status_code == 400
        assert "phone" in response.json()

    def test_it_rejects_a_body_that_is_not_an_object(self, api):
        response = api.post(LEADS, ["phone", "5125550100"], format="json")

        assert response.status_code == 400

    def test_it_accepts_qualification_values_in_any_case(self, api):
        response = api.post(LEADS, new_lead(loan_type="FHA", credit=" Good "), format="json")

        assert response.status_code == 201
        assert response.json()["qualification"]["loan_type"] == "fha"
        assert response.json()["qualification"]["credit"] == "good"


class TestDeduplication:
    def test_it_appends_a_repeat_inquiry_to_the_open_lead_without_texting_again(self, api, run_tasks):
        with run_tasks():
            first = api.post(LEADS, new_lead(), format="json")
            second = api.post(
                LEADS, new_lead(phone="512.555.0100", source="referral", email=""), format="json"
            )

        assert first.status_code == 201
        assert second.status_code == 200
        assert second.json()["id"] == first.json()["id"]
        assert Inquiry.objects.filter(lead_id=first.json()["id"]).count() == 2
        assert Message.objects.count() == 1
        assert LeadEvent.objects.filter(type="first_contact_skipped").exists()

    def test_it_opens_a_new_lead_when_the_old_one_is_closed(self, api):
        LeadFactory(phone="+15125550100", status="closed_lost")

        response = api.post(LEADS, new_lead(), format="json")

        assert response.status_code == 201
        assert Lead.objects.filter(phone="+15125550100").count() == 2

    def test_it_never_texts_an_opted_out_borrower_who_fills_the_form_again(self, api, run_tasks):
        lead = LeadFactory(phone="+15125550100", status="opted_out", opted_out_at="2026-01-01T00:00Z")

        with run_tasks():
            response = api.post(LEADS, new_lead(), format="json")

        assert response.status_code == 200
        assert response.json()["id"] == str(lead.pk)
        assert not Message.objects.exists()


class TestIdempotency:
    def test_it_replays_the_first_response_for_the_same_key_and_body(self, api, run_tasks):
        with run_tasks():
            first = api.post(LEADS, new_lead(), format="json", HTTP_IDEMPOTENCY_KEY="abc")
            again = api.post(LEADS, new_lead(), format="json", HTTP_IDEMPOTENCY_KEY="abc")

        assert first.status_code == again.status_code == 201
        assert again.json() == first.json()
        assert again["Idempotent-Replayed"] == "true"
        assert Inquiry.objects.count() == 1
        assert Message.objects.count() == 1

    def test_it_refuses_the_same_key_with_another_body(self, api):
        api.post(LEADS, new_lead(), format="json", HTTP_IDEMPOTENCY_KEY="abc")

        response = api.post(LEADS, new_lead(first_name="Bob"), format="json", HTTP_IDEMPOTENCY_KEY="abc")

        assert response.status_code == 422
        assert "different request body" in response.json()["detail"]
        assert Inquiry.objects.count() == 1

    def test_it_does_not_remember_a_rejected_request(self, api):
        bad = api.post(LEADS, new_lead(state="XX"), format="json", HTTP_IDEMPOTENCY_KEY="k1")
        good = api.post(LEADS, new_lead(), format="json", HTTP_IDEMPOTENCY_KEY="k1")

        assert bad.status_code == 400
        assert good.status_code == 201

    def test_keys_belong_to_one_client(self, api, run_tasks):
        from integrations.services import api_client_create

        _, other_token = api_client_create(name="Other CRM")
        other = APIClient()
        other.credentials(HTTP_AUTHORIZATION=f"Token {other_token}")

        first = api.post(LEADS, new_lead(), format="json", HTTP_IDEMPOTENCY_KEY="same")
        second = other.post(LEADS, new_lead(phone="5125550111"), format="json", HTTP_IDEMPOTENCY_KEY="same")

        assert first.status_code == second.status_code == 201
        assert first.json()["id"] != second.json()["id"]


class TestReadAndUpdate:
    def test_it_lists_with_status_and_updated_since_filters(self, api):
        LeadFactory(status="qualified")
        LeadFactory(status="nurturing")
        LeadFactory(status="closed_won")

        both = api.get(LEADS, {"status": "qualified,nurturing"}).json()
        assert {lead["status"] for lead in both["results"]} == {"qualified", "nurturing"}
        assert both["count"] == 2

        assert api.get(LEADS, {"updated_since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
        assert api.get(LEADS, {"updated_since": "2000-01-01T00:00:00Z"}).json()["count"] == 3

    @pytest.mark.parametrize(
        ("since", "seen"),
        [
            ("2026-11-30", ["midnight UTC", "later"]),  # a date: from its midnight, UTC
            ("2026-11-30T00:00:01", ["later"]),  # no offset: UTC, as datetime.utcnow() gives it
            ("2026-11-30T00:00:00.000000", ["midnight UTC", "later"]),
            ("2026-11-30 00:00:00", ["midnight UTC", "later"]),  # RFC 3339's space separator
            ("2026-11-29T18:00:00-06:00", ["midnight UTC", "later"]),  # the same moment, in Chicago
            ("2026-11-30T06:00:00 06:00", ["midnight UTC", "later"]),  # an unencoded + arrives as a space
        ],
    )
    def test_updated_since_takes_a_date_or_a_time_without_offset_as_utc(self, api, since, seen):
        for name, updated in [
            ("the day before", datetime(2026, 11, 29, 23, 59, 59, tzinfo=UTC)),
            ("midnight UTC", datetime(2026, 11, 30, tzinfo=UTC)),
            ("later", datetime(2026, 11, 30, 12, tzinfo=UTC)),
        ]:
            Lead.objects.filter(pk=LeadFactory(first_name=name).pk).update(updated_at=updated)

        response = api.get(LEADS, {"updated_since": since})

        assert [lead["first_name"] for lead in response.json()["results"]] == seen

    @pytest.mark.parametrize(
        "since", ["", "yesterday", "2026-11-31", "2026-11-30T25:00:00", "2026-11-30T09:00"]
    )
    def test_updated_since_refuses_what_is_not_one_moment(self, api, since):
        response = api.get(LEADS, {"updated_since": since})

        assert response.status_code == 400 and response.json()["updated_since"]

    def test_it_rejects_bad_filters(self, api):
        assert api.get(LEADS, {"status": "hot"}).status_code == 400
        assert api.get(LEADS, {"updated_since": "yesterday"}).status_code == 400

    def test_it_paginates(self, api):
        LeadFactory.create_batch(3)

        page = api.get(LEADS, {"page_size": 2}).json()

        assert page["count"] == 3
        assert len(page["results"]) == 2
        assert page["next"]

    def test_it_shows_a_lead_with_its_officer(self, api):
        officer = LoanOfficerFactory(name="Maria Garcia", nmls_id="445566")
        lead = LeadFactory(assigned_officer=officer, loan_purpose="refinance")

        body = api.get(f"{LEADS}{lead.pk}/").json()

        assert body["assigned_officer"] == {"id": officer.pk, "name": "Maria Garcia", "nmls_id": "445566"}
        assert body["qualification"]["loan_purpose"] == "refinance"
        assert body["nurture"] is None

    def test_it_answers_404_for_an_unknown_lead(self, api):
        assert api.get(f"{LEADS}{uuid.uuid4()}/").status_code == 404

    def test_a_crm_can_close_a_lead(self, api):
        lead = LeadFactory(status="claimed")

        response = api.patch(f"{LEADS}{lead.pk}/", {"status": "closed_won"}, format="json")

        assert response.status_code == 200
        assert response.json()["status"] == "closed_won"
        event = lead.events.get(type="status_changed")
        assert event.actor == "api:Test CRM"
        assert event.data == {"from": "claimed", "to": "closed_won"}

    def test_do_not_contact_from_the_crm_stops_all_texting(self, api, run_tasks):
        from conversations.models import Kind, Sender
        from conversations.services import send_sms

        lead = LeadFactory(status="qualifying")
        response = api.patch(f"{LEADS}{lead.pk}/", {"status": "do_not_contact"}, format="json")

        result = send_sms(lead=lead, body="Any news?", kind=Kind.REPLY, sender=Sender.AGENT)

        assert response.json()["status"] == "do_not_contact"
        assert result.blocked_reason == "do_not_contact"
        assert not Message.objects.exists()

    def test_it_rejects_a_status_the_crm_may_not_set(self, api):
        lead = LeadFactory(status="qualifying")

        response = api.patch(f"{LEADS}{lead.pk}/", {"status": "offered"}, format="json")

        assert response.status_code == 400
        assert "status" in response.json()

    def test_it_refuses_to_reopen_a_closed_lead(self, api):
        lead = LeadFactory(status="closed_won")

        response = api.patch(f"{LEADS}{lead.pk}/", {"status": "qualified"}, format="json")

        assert response.status_code == 409

    def test_it_corrects_qualification_and_derives_temperature(self, api):
        lead = LeadFactory(status="qualifying")

        body = api.patch(
            f"{LEADS}{lead.pk}/", {"timeline": "0_30_days", "preapproved": True}, format="json"
        ).json()

        assert body["temperature"] == "hot"
        assert body["qualification"]["preapproved"] is True

    def test_it_lists_messages_oldest_first_and_the_timeline(self, api, run_tasks):
        with run_tasks():
            lead_id = api.post(LEADS, new_lead(), format="json").json()["id"]

        messages = api.get(f"{LEADS}{lead_id}/messages/").json()["results"]
        events = api.get(f"{LEADS}{lead_id}/events/").json()["results"]

        assert [m["direction"] for m in messages] == ["outbound"]
        assert set(messages[0]) == {"id", "direction", "body", "status", "sender", "created_at"}
        assert messages[0]["sender"] == "agent"
        assert [e["type"] for e in events][:2] == ["lead_created", "status_changed"]


class TestAuthentication:
    def test_it_refuses_requests_without_a_token(self, db):
        assert APIClient().get(LEADS).status_code == 401

    def test_it_refuses_a_wrong_token(self, db):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION="Token nope")
        assert client.get(LEADS).status_code == 401

    def test_the_schema_and_docs_are_public(self, client):
        assert client.get("/api/schema/").status_code == 200
        assert client.get("/api/docs/").status_code == 200


class TestContractEdges:
    def test_a_patch_changes_only_the_fields_it_names(self, api):
        created = api.post(
            LEADS,
            new_lead(loan_purpose="purchase", timeline="0_30_days", preapproved=True, has_agent=True),
            format="json",
        ).json()

        patched = api.patch(f"{LEADS}{created['id']}/", {"email": "new@example.com"}, format="json").json()

        assert patched["email"] == "new@example.com"
        assert patched["qualification"]["preapproved"] is True
        assert patched["qualification"]["has_agent"] is True
        assert patched["temperature"] == "hot"

    def test_it_rejects_a_misspelt_field_instead_of_ignoring_it(self, api):
        body = new_lead()
        body["sms_concent"] = body.pop("sms_consent")

        response = api.post(LEADS, body, format="json")

        assert response.status_code == 400
        assert response.json() == {"sms_concent": ["Unknown field."]}
        assert not Lead.objects.exists()

    def test_it_accepts_qualification_as_the_api_shows_it(self, api):
        body = new_lead(qualification={"loan_purpose": "refinance", "credit": "good"})

        response = api.post(LEADS, body, format="json")

        assert response.status_code == 201
        assert response.json()["qualification"]["loan_purpose"] == "refinance"
        assert response.json()["qualification"]["credit"] == "good"

    def test_it_rejects_a_phone_with_an_extension(self, api):
        response = api.post(LEADS, new_lead(phone="512-555-0135 ext 12"), format="json")

        assert response.status_code == 400
        assert "extension" in response.json()["phone"][0]

    def test_it_rejects_a_phone_longer_than_its_schema_allows_even_if_it_holds_a_number(self, api):
        response = api.post(LEADS, new_lead(phone="(512) 420-2392" + "*" * 27), format="json")

        assert response.status_code == 400
        assert "no more than 40 characters" in response.json()["phone"][0]

    def test_the_phone_cannot_be_patched(self, api):
        lead = LeadFactory()

        response = api.patch(f"{LEADS}{lead.pk}/", {"phone": "5125550111"}, format="json")

        assert response.status_code == 400
        assert "new inquiry" in response.json()["phone"][0]

    def test_an_overlong_idempotency_key_is_a_400(self, api):
        response = api.post(LEADS, new_lead(), format="json", HTTP_IDEMPOTENCY_KEY="k" * 256)

        assert response.status_code == 400
        assert not Lead.objects.exists()

    def test_the_first_text_moves_updated_at_for_crms_that_sync(self, api, run_tasks):
        with run_tasks():
            created = api.post(LEADS, new_lead(), format="json").json()

        later = api.get(LEADS, {"updated_since": created["updated_at"]}).json()["results"]

        assert [lead["id"] for lead in later] == [created["id"]]
        assert later[0]["first_contact_at"] is not None
        assert later[0]["updated_at"] > created["updated_at"]

    def test_an_oversized_body_gets_a_json_413(self, api):
        body = '{"phone": "5125550100", "source_detail": "' + "x" * 3_000_000 + '"}'

        response = api.generic("POST", LEADS, body, content_type="application/json")

        assert response.status_code == 413
        assert "larger than" in response.json()["detail"]
        assert not Lead.objects.exists()
