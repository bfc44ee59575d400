"""Consent that stands up in a dispute, and a do-not-contact list beyond one lead."""

import io

import pytest

from conversations.models import Kind, Message, MessageStatus, Sender
from conversations.services import message_deliver, send_sms
from leads.models import DoNotContactNumber, Inquiry, Lead, LeadEvent
from tests.factories import LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db

LEADS, DNC = "/api/v1/leads/", "/api/v1/dnc/"
EVIDENCE = {
    "consent_at": "2026-11-30T18:04:05Z",
    "consent_ip": "203.0.113.7",
    "consent_user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)",
    "consent_page_url": "https://acme.example/apply?utm_source=zillow",
    "trustedform_cert_url": "https://cert.trustedform.com/0123456789abcdef",
    "jornaya_leadid": "5C1A2B3C-1111-2222-3333-444455556666",
}


def lead_body(**overrides):
    body = {
        "first_name": "Ana",
        "phone": "(512) 555-0100",
        "state": "TX",
        "sms_consent": True,
        "consent_text": "By submitting I agree to receive texts from Acme Home Loans at this number.",
    }
    return {**body, **overrides}


@pytest.mark.parametrize("value", ["yes", "true", 1, "1", None, "on"])
def test_it_refuses_sms_consent_that_is_not_a_json_boolean(api, value):
    response = api.post(LEADS, lead_body(sms_consent=value), format="json")
    assert response.status_code == 400
    assert "JSON boolean" in str(response.json())
    assert not Lead.objects.exists()


def test_it_keeps_the_evidence_a_web_form_sends_on_the_lead_and_the_inquiry(api, run_tasks):
    with run_tasks():
        response = api.post(LEADS, lead_body(**EVIDENCE), format="json")
    assert response.status_code == 201 and response.json()["not_texted_reason"] is None
    lead = Lead.objects.get()
    inquiry = Inquiry.objects.get()
    for record in (lead, inquiry):
        assert record.consent_ip == "203.0.113.7"
        assert record.consent_page_url == EVIDENCE["consent_page_url"]
        assert record.trustedform_cert_url == EVIDENCE["trustedform_cert_url"]
        assert record.jornaya_leadid == EVIDENCE["jornaya_leadid"]
        assert record.consent_at.isoformat() == "2026-11-30T18:04:05+00:00"
    assert Message.objects.filter(lead=lead, kind=Kind.FIRST_CONTACT).exists()


@pytest.mark.parametrize(
    "field, value",
    [("consent_ip", "999.1.1.1"), ("consent_page_url", "not a url"), ("consent_at", "2099-01-01T00:00:00Z")],
)
def test_it_rejects_evidence_that_cannot_be_right(api, field, value):
    response = api.post(LEADS, lead_body(**{field: value}), format="json")
    assert response.status_code == 400 and field in response.json()


def test_a_lead_without_the_disclosure_text_is_stored_but_not_texted_and_says_why(api, run_tasks):
    with run_tasks():
        response = api.post(LEADS, lead_body(consent_text=""), format="json")
    assert response.status_code == 201
    assert response.json()["not_texted_reason"] == "no_consent_text"
    assert not Message.objects.exists()
    event = LeadEvent.objects.get(type="not_contacted")
    assert event.data["reason"] == "no_consent_text" and "consent_text" in event.description


def test_ops_can_switch_the_disclosure_text_policy_off(api, run_tasks, settings):
    settings.REQUIRE_CONSENT_TEXT = False
    with run_tasks():
        response = api.post(LEADS, lead_body(consent_text=""), format="json")
    assert response.json()["not_texted_reason"] is None
    assert Message.objects.filter(kind=Kind.FIRST_CONTACT).exists()
    assert LeadEvent.objects.filter(type="consent_text_missing").exists()


def test_a_later_inquiry_with_the_disclosure_text_makes_the_lead_textable(api, run_tasks):
    with run_tasks():
        api.post(LEADS, lead_body(consent_text=""), format="json")
        response = api.post(LEADS, lead_body(), format="json")
    assert response.status_code == 200 and response.json()["not_texted_reason"] is None
    assert Message.objects.filter(kind=Kind.FIRST_CONTACT).count() == 1


# --- The do-not-contact list -----------------------------------------------------------------------


def test_it_adds_a_number_once_and_lists_it(api):
    first = api.post(DNC, {"phone": "512-555-0199", "reason": "Litigator list, Nov 2026"}, format="json")
    again = api.post(DNC, {"phone": "+1 (512) 555-0199", "reason": "again"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["phone"] == "+15125550199" and again.json()["reason"] == "Litigator list, Nov 2026"
    listing = api.get(DNC).json()
    assert listing["count"] == 1 and listing["results"][0]["source"] == "api"
    assert api.get(DNC, {"phone": "5125550199"}).json()["count"] == 1
    assert api.get(DNC, {"phone": "5125550100"}).json()["count"] == 0


def test_it_rejects_a_bad_number_or_an_unknown_field(api):
    assert api.post(DNC, {"phone": "555"}, format="json").status_code == 400
    assert api.post(DNC, {"phone": "5125550199", "notes": "x"}, format="json").status_code == 400
    assert not DoNotContactNumber.objects.exists()


def test_the_dnc_api_needs_a_token(client):
    assert client.get(DNC).status_code in (401, 403)


def test_send_sms_refuses_a_listed_number_and_records_why(api):
    lead = LeadFactory(phone="+15125550199")
    api.post(DNC, {"phone": lead.phone, "reason": "Asked by phone"}, format="json")
    result = send_sms(lead=lead, body="Checking in", kind=Kind.REPLY, sender=Sender.AGENT)
    assert result.blocked_reason == "dnc_list"
    assert lead.events.filter(type="dnc_listed").exists()
    assert lead.events.get(type="sms_blocked").data["reason"] == "dnc_list"


def test_a_text_already_queued_is_not_sent_once_the_number_is_listed(api):
    lead = LeadFactory(phone="+15125550199")
    queued = MessageFactory(lead=lead, kind=Kind.REPLY, status=MessageStatus.QUEUED, to_number=lead.phone)
    api.post(DNC, {"phone": lead.phone}, format="json")
    assert message_deliver(message_id=queued.pk) == MessageStatus.FAILED
    queued.refresh_from_db()
    assert (queued.error_code, queued.provider_sid) == ("dnc_list", None)


# --- Opt-outs given outside our texts, and the consent record -------------------------------------


def test_a_crm_records_an_opt_out_the_borrower_gave_by_phone(api):
    lead = LeadFactory()
    response = api.patch(
        f"{LEADS}{lead.pk}/",
        {"opt_out": {"words": "Stop texting me, I'm not interested", "channel": "phone"}},
        format="json",
    )
    assert response.status_code == 200 and response.json()["status"] == "opted_out"
    event = lead.events.get(type="opted_out")
    assert event.data["words"] == "Stop texting me, I'm not interested" and event.data["channel"] == "phone"
    assert send_sms(lead=lead, body="Hi", kind=Kind.REPLY, sender=Sender.AGENT).blocked_reason == "opted_out"


def test_ops_record_an_opt_out_from_the_admin_with_the_words_and_channel(admin_client):
    lead = LeadFactory()
    admin_client.post(
        "/admin/leads/lead/",
        {
            "action": "record_opt_out",
            "confirmed": "yes",
            "_selected_action": [lead.pk],
            "words": "Please remove me",
            "channel": "email",
        },
    )
    event = lead.events.get(type="opted_out")
    assert (event.data["words"], event.data["channel"], event.actor) == (
        "Please remove me",
        "email",
        "admin:admin",
    )


def test_the_consent_record_holds_consent_opt_outs_and_every_text(admin_client, api, run_tasks):
    with run_tasks():
        lead_id = api.post(LEADS, lead_body(**EVIDENCE), format="json").json()["id"]
    lead = Lead.objects.get(pk=lead_id)
    api.patch(
        f"{LEADS}{lead_id}/", {"opt_out": {"words": "no more texts pls", "channel": "phone"}}, format="json"
    )
    url = f"/admin/leads/lead/{lead_id}/consent-record/"
    record = admin_client.get(url, {"format": "json"}).json()
    assert record["consent"]["consent_ip"] == "203.0.113.7"
    assert record["consent"]["trustedform_cert_url"] == EVIDENCE["trustedform_cert_url"]
    assert record["inquiries"][0]["consent_text"].startswith("By submitting I agree")
    assert [e["data"]["words"] for e in record["consent_events"] if e["type"] == "opted_out"] == [
        "no more texts pls"
    ]
    [text] = record["messages"]
    assert text["kind"] == "first_contact" and text["status"] == "sent"
    page = admin_client.get(url).content.decode()
    assert "no more texts pls" in page and "203.0.113.7" in page and "Print" in page
    assert lead.events.filter(type="consent_record_viewed").count() == 2


def test_ops_import_a_litigator_list_by_csv(admin_client):
    upload = io.BytesIO(
        b"phone,reason\n512-555-0199,\n(512) 555-0198,Known litigator\nnot-a-phone,\n512-555-0199,\n"
    )
    upload.name = "litigators.csv"
    page = admin_client.post(
        "/admin/leads/donotcontactnumber/import/", {"file": upload, "reason": "Vendor list 2026-11"}
    ).content.decode()
    assert "2 number(s) added, 1 already on the list, 1 rejected." in page
    assert DoNotContactNumber.objects.get(phone="+15125550199").reason == "Vendor list 2026-11"
    assert DoNotContactNumber.objects.get(phone="+15125550198").source == "csv"


def test_the_reengagement_import_skips_a_listed_number_before_enrolling_anyone(run_tasks):
    from nurture.imports import reengagement_import_queue
    from nurture.models import Cadence

    DoNotContactNumber.objects.create(phone="+15125550199", source="csv", reason="Litigator")
    cadence = Cadence.objects.get(slug="not_ready_yet")
    upload = io.BytesIO(b"phone,sms_consent\n512-555-0199,yes\n512-555-0198,yes\n")
    with run_tasks():
        job = reengagement_import_queue(
            upload=upload,
            file_name="aged.csv",
            cadence=cadence,
            actor="admin:ops",
            consent_text="Web form 2024",
        )
    job.refresh_from_db()
    listed = job.rows.first()
    assert (listed.phone, listed.outcome, listed.detail) == (
        "+15125550199",
        "not texted",
        "on the do-not-contact list",
    )
    assert job.enrolled == 1
    assert not Lead.objects.filter(phone="+15125550199").exists()
