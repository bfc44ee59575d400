"""A borrower who texted our number first consented to a conversation, not to marketing texts:
answered, qualified, nudged on their own open question and texted by an officer, but never put
in a nurture cadence until a form gives prior express written consent."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from conversations import services as conversation_services
from conversations.models import Message
from conversations.services.outbox import send_sms
from conversations.services.staff import staff_reply
from leads import services as lead_services
from leads.models import Lead
from nurture import services, tasks
from nurture.models import Cadence, Enrollment
from tests.conversations.qualification_helpers import last_reply, text_in
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

CENTRAL = ZoneInfo("America/Chicago")
TUESDAY_10AM = datetime(2026, 10, 6, 10, tzinfo=CENTRAL)
PHONE = "+15125550177"


def converse(client, run_tasks, *texts) -> Lead:
    for body in texts:
        with run_tasks():
            text_in(client, PHONE, body)
    return Lead.objects.get(phone=PHONE)


def nurture_texts(lead) -> list[Message]:
    return list(Message.objects.filter(lead=lead, kind="nurture", sender="nurture"))


def test_a_borrower_who_texted_first_and_is_not_ready_rests_without_a_cadence(client, run_tasks, api):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        assert "When are you hoping to move forward" in last_reply(lead)
        lead = converse(client, run_tasks, "just browsing, maybe next year")
        assert lead.status == "nurturing"
        assert "No rush" in last_reply(lead)
        # Months of the dispatcher running: nothing is due for this borrower.
        for _ in range(12):
            clock.shift(timedelta(days=14))
            with run_tasks():
                tasks.dispatch_due()
        view = api.get(f"/api/v1/leads/{lead.pk}/").json()
    assert (view["consent_scope"], view["nurture"]) == ("conversation", None)
    assert not Enrollment.objects.filter(lead=lead).exists()
    assert nurture_texts(lead) == []
    refused = lead.events.get(type="nurture_refused")
    assert "Not enrolled in the cadence 'Not ready yet'" in refused.description
    assert "texted us first" in refused.description


def test_a_borrower_who_texted_first_is_qualified_and_an_officer_may_text_them(client, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas", "within 30 days", "yes")
        converse(client, run_tasks, "already preapproved")
        lead.refresh_from_db()
        assert lead.status == "qualified"
        assert lead.events.filter(type="routing_started").exists()
        with run_tasks():
            reply = staff_reply(lead=lead, body="Hi, this is Sam, your loan officer.", actor="sam")
    reply.message.refresh_from_db()
    assert reply.message.status == "sent"


def test_the_assistant_follows_up_on_their_open_question_once_per_silence(client, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        clock.shift(timedelta(hours=5))
        with run_tasks():
            assert conversation_services.conversation_nudge_silent() == {"nudged": 1, "unresponsive": 0}
    nudge = lead.messages.get(dedupe_key__startswith="nudge:")
    assert "When are you hoping to move forward" in nudge.body
    assert (nudge.sender, nudge.status) == ("agent", "sent")


def test_send_sms_refuses_a_cadence_text_and_says_why(client, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        result = send_sms(lead=lead, body="Rates dropped this week!", kind="nurture", sender="nurture")
    assert result.blocked_reason == "conversation_only"
    event = lead.events.get(type="sms_blocked")
    assert event.description.startswith("Not sent (conversation only: the borrower texted us first")
    assert nurture_texts(lead) == []


def test_admin_bulk_enrollment_skips_them_with_the_reason(client, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        lead_services.lead_set_status(lead=lead, status="unresponsive", actor="agent")
        report = services.leads_reengage(
            leads=[lead], cadence=Cadence.objects.get(slug="not_ready_yet"), actor="ops@example.com"
        )
    assert report.enrolled == []
    assert "texted us first" in report.skipped[0][1]
    assert lead.events.filter(type="nurture_refused", actor="ops@example.com").count() == 1
    assert not Enrollment.objects.filter(lead=lead).exists()


def test_a_cadence_begun_before_the_rule_stops_instead_of_texting(client, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        # An enrollment stored before consent scopes existed (or written around the service).
        cadence = Cadence.objects.get(slug="not_ready_yet")
        Enrollment.objects.create(
            lead=lead, cadence=cadence, step=cadence.steps.order_by("position").first(),
            enrolled_at=TUESDAY_10AM, step_scheduled_at=TUESDAY_10AM, enrolled_by="t",
            next_run_at=TUESDAY_10AM + timedelta(minutes=5),
        )  # fmt: skip
        clock.shift(timedelta(hours=1))
        with run_tasks():
            tasks.dispatch_due()
    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.state, enrollment.stop_reason) == ("stopped", "conversation_only")
    assert nurture_texts(lead) == []


def test_a_later_form_with_written_consent_lets_nurture_proceed(client, run_tasks, api):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        clock.shift(timedelta(hours=1))
        with run_tasks():
            response = api.post(
                "/api/v1/leads/",
                {
                    "phone": PHONE,
                    "first_name": "Ana",
                    "sms_consent": True,
                    "consent_text": "I agree to texts",
                },
                format="json",
            )
        assert response.status_code == 200, response.json()
        assert response.json()["consent_scope"] == "written"
        lead.refresh_from_db()
        assert (lead.consent_scope, lead.consent_text) == ("written", "I agree to texts")
        assert lead.events.filter(type="consent_upgraded").exists()
        lead_services.lead_set_status(lead=lead, status="nurturing", actor="agent")
    assert services.active_enrollment(lead.pk).cadence.slug == "not_ready_yet"


def test_a_later_form_without_consent_upgrades_nothing(client, run_tasks, api):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        with run_tasks():
            api.post("/api/v1/leads/", {"phone": PHONE, "sms_consent": False}, format="json")
    lead.refresh_from_db()
    assert (lead.sms_consent, lead.consent_scope) == (True, "conversation")


def test_form_leads_keep_written_consent_and_their_cadence(api, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        with run_tasks():
            response = api.post(
                "/api/v1/leads/",
                {"phone": "(512) 555-0100", "state": "TX", "sms_consent": True, "consent_text": "I agree"},
                format="json",
            )
        view = api.get(f"/api/v1/leads/{response.json()['id']}/").json()
    assert view["consent_scope"] == "written"
    assert view["nurture"]["cadence"] == "no_reply_yet"


def test_the_consent_record_says_what_the_consent_covers(admin_client, client, run_tasks):
    lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
    page = admin_client.get(f"/admin/leads/lead/{lead.pk}/consent-record/").content.decode()
    assert "<b>The conversation only.</b> The borrower texted us first" in page
    form_lead = LeadFactory()
    written = admin_client.get(f"/admin/leads/lead/{form_lead.pk}/consent-record/").content.decode()
    assert "Prior express written consent (the disclosure below)" in written
    outlook = admin_client.get(reverse("admin:conversations_contactrule_lead", args=[lead.pk]))
    assert (
        "No: the borrower texted us first, which is consent to the conversation" in outlook.content.decode()
    )


def test_a_csv_re_engagement_import_does_not_enroll_them(client, admin_client, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        lead = converse(client, run_tasks, "hi, want to buy a house in dallas")
        csv = "phone,first_name,state,sms_consent\n(512) 555-0177,Ana,TX,yes\n(512) 555-0111,Rosa,TX,yes\n"
        data = {
            "file": SimpleUploadedFile("aged leads.csv", csv.encode(), content_type="text/csv"),
            "cadence": Cadence.objects.get(slug="not_ready_yet").pk,
            "consent_text": "On file",
            "start_now": "on",
        }
        with run_tasks():
            response = admin_client.post("/admin/nurture/leadtoreengage/import/", data)
    page = admin_client.get(response["Location"]).content.decode()
    assert "2 row(s): 1 enrolled, 1 not texted, 0 rejected" in page
    assert "the borrower texted us first, which is consent to a conversation" in page
    assert not Enrollment.objects.filter(lead=lead).exists()
    assert lead.events.filter(type="nurture_refused").count() == 1
    lead.refresh_from_db()
    assert lead.consent_scope == "conversation"  # a list's say-so is not the borrower's form


@pytest.mark.django_db(transaction=True)
def test_leads_opened_by_a_text_before_the_rule_are_marked_conversation_only():
    executor = MigrationExecutor(connection)
    executor.migrate([("leads", "0004_inquiry_created_at_index")])
    old = executor.loader.project_state([("leads", "0004_inquiry_created_at_index")]).apps
    OldLead = old.get_model("leads", "Lead")
    texted = OldLead.objects.create(
        phone=PHONE, sms_consent=True, consent_text="Borrower texted our number first: 'hi'"
    )
    form = OldLead.objects.create(phone="+15125550100", sms_consent=True, consent_text="I agree")

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Lead.objects.get(pk=texted.pk).consent_scope == "conversation"
    assert Lead.objects.get(pk=form.pk).consent_scope == "written"
