"""Leads enter and leave cadences on their own: first text, reply, not ready, opt-out, claim, close."""

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError
from django.utils.dateparse import parse_datetime

from conversations.services import inbound_receive
from leads import services as lead_services
from nurture import services
from nurture.models import Cadence, Enrollment
from tests.factories import CadenceStepFactory, LeadFactory, MessageFactory

pytestmark = pytest.mark.django_db

CENTRAL = ZoneInfo("America/Chicago")
TUESDAY_10AM = datetime(2026, 10, 6, 10, tzinfo=CENTRAL)


def post_lead(api, run_tasks, **fields):
    body = {"first_name": "Ana", "phone": "(512) 555-0100", "state": "TX", "sms_consent": True}
    body |= {"consent_text": "I agree to texts", **fields}
    with run_tasks():
        response = api.post("/api/v1/leads/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def nurture_view(api, lead_id):
    return api.get(f"/api/v1/leads/{lead_id}/").json()["nurture"]


def borrower_texts(run_tasks, phone: str, body: str):
    with run_tasks():
        inbound_receive(
            from_number=phone, to_number="+15125559999", body=body, provider_sid=f"SM{uuid.uuid4().hex}"
        )


def test_it_enrolls_a_new_lead_in_no_reply_yet_when_the_first_text_goes_out(api, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        lead_id = post_lead(api, run_tasks)
        nurture = nurture_view(api, lead_id)
    assert nurture["cadence"] == "no_reply_yet"
    assert parse_datetime(nurture["next_touch_at"]) == datetime(2026, 10, 6, 10, 10, tzinfo=CENTRAL)


def test_the_next_touch_is_written_like_every_other_time_in_the_answer(api, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False):
        view = api.get(f"/api/v1/leads/{post_lead(api, run_tasks)}/").json()
    offset = view["created_at"][-6:]  # the server's zone, as every time the API writes
    assert view["nurture"]["next_touch_at"].endswith(offset)


def test_it_shows_the_first_nudge_of_a_night_inquiry_at_the_next_morning(api, run_tasks):
    with time_machine.travel(datetime(2026, 10, 6, 23, 30, tzinfo=CENTRAL), tick=False):
        lead_id = post_lead(api, run_tasks)
        nurture = nurture_view(api, lead_id)
    assert parse_datetime(nurture["next_touch_at"]) == datetime(
        2026, 10, 7, 9, tzinfo=CENTRAL
    )  # Texas: 09:00


def test_it_stops_nudging_when_the_borrower_replies_and_qualifies_them_again(api, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        lead_id = post_lead(api, run_tasks)
        clock.shift(300)
        borrower_texts(run_tasks, "+15125550100", "We want to buy next month")
        view = api.get(f"/api/v1/leads/{lead_id}/").json()
    assert view["nurture"] is None
    assert view["status"] == "qualifying"
    assert Enrollment.objects.get(lead_id=lead_id).stop_reason == "replied"


def test_it_moves_a_borrower_who_is_not_ready_to_the_not_ready_cadence(api, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        lead_id = post_lead(api, run_tasks)
        clock.shift(300)
        lead = lead_services.Lead.objects.get(pk=lead_id)
        lead_services.lead_set_status(lead=lead, status="nurturing", actor="agent")
        nurture = nurture_view(api, lead_id)
    assert nurture["cadence"] == "not_ready_yet"
    # Two weeks on, at the same local time (a Tuesday, inside the window).
    assert parse_datetime(nurture["next_touch_at"]) == datetime(2026, 10, 20, 10, 5, tzinfo=CENTRAL)
    old, new = Enrollment.objects.filter(lead_id=lead_id).order_by("pk")
    assert (old.state, old.stop_reason, new.state) == ("stopped", "switched_cadence", "active")


def test_a_cadence_begun_because_of_a_reply_is_not_stopped_by_that_reply():
    # The assistant may decide "not ready" while handling the very reply that ends the nudges.
    lead = LeadFactory(status="contacted")
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        services.enrollment_start(lead=lead, cadence=Cadence.objects.get(slug="no_reply_yet"), actor="t")
        clock.shift(600)
        reply = MessageFactory(
            lead=lead, direction="inbound", sender="borrower", kind="inbound", status="received"
        )
        clock.shift(1)
        lead_services.lead_set_status(lead=lead, status="nurturing", actor="agent")
        services.nurture_after_reply(lead=lead, message=reply)
    active = services.active_enrollment(lead.pk)
    assert active is not None and active.cadence.slug == "not_ready_yet"


def test_it_stops_when_the_borrower_opts_out(api, run_tasks):
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        lead_id = post_lead(api, run_tasks)
        clock.shift(60)
        borrower_texts(run_tasks, "+15125550100", "STOP")
        assert nurture_view(api, lead_id) is None
    assert Enrollment.objects.get(lead_id=lead_id).stop_reason == "opted_out"


@pytest.mark.parametrize("status", ["claimed", "closed_won", "closed_lost", "disqualified"])
def test_it_stops_when_an_officer_claims_or_the_lead_closes(status):
    lead = LeadFactory(status="nurturing")
    enrollment = services.enrollment_start(
        lead=lead, cadence=Cadence.objects.get(slug="not_ready_yet"), actor="t"
    )
    lead_services.lead_set_status(lead=lead, status=status, actor="officer")
    enrollment.refresh_from_db()
    assert (enrollment.state, enrollment.stop_reason) == ("stopped", status)
    lead.refresh_from_db()
    assert (lead.nurture_cadence, lead.next_touch_at) == ("", None)


def test_it_stops_when_the_crm_marks_do_not_contact():
    lead = LeadFactory(status="nurturing")
    services.enrollment_start(lead=lead, cadence=Cadence.objects.get(slug="not_ready_yet"), actor="t")
    lead_services.lead_mark_do_not_contact(lead=lead, actor="api:crm")
    assert Enrollment.objects.get(lead=lead).stop_reason == "do_not_contact"


def test_it_keeps_one_active_enrollment_per_lead():
    lead = LeadFactory()
    step = CadenceStepFactory()
    assert services.enrollment_start(lead=lead, cadence=step.cadence, actor="t") is not None
    assert services.enrollment_start(lead=lead, cadence=step.cadence, actor="t") is None
    with pytest.raises(IntegrityError):
        Enrollment.objects.create(lead=lead, cadence=step.cadence, step=step)


def test_it_does_not_nudge_when_ops_switched_the_no_reply_cadence_off(api, run_tasks):
    Cadence.objects.filter(slug="no_reply_yet").update(active=False)
    lead_id = post_lead(api, run_tasks)
    assert nurture_view(api, lead_id) is None
    assert not Enrollment.objects.exists()


def test_it_does_not_enroll_a_lead_that_texted_us_first(run_tasks):
    # A borrower who texted first is in a conversation, not waiting for a reply.
    with time_machine.travel(TUESDAY_10AM, tick=False):
        borrower_texts(run_tasks, "+15125550177", "Hi, I saw your ad about refinancing")
    assert not Enrollment.objects.exists()


def test_a_nurtured_borrower_who_replies_is_qualifiable_again(api, run_tasks):
    lead = LeadFactory(phone="+15125550100", status="nurturing")
    with time_machine.travel(TUESDAY_10AM, tick=False) as clock:
        services.enrollment_start(lead=lead, cadence=Cadence.objects.get(slug="not_ready_yet"), actor="t")
        clock.shift(14 * 24 * 3600)
        borrower_texts(run_tasks, "+15125550100", "We're ready to buy next month!")
    view = api.get(f"/api/v1/leads/{lead.pk}/").json()
    assert (view["status"], view["nurture"]) == ("qualifying", None)
    assert Enrollment.objects.get(lead=lead).stop_reason == "replied"


def test_it_does_not_show_a_next_touch_for_a_borrower_it_may_not_text():
    lead = LeadFactory(status="contacted", sms_consent=False)
    lead_services.lead_set_status(lead=lead, status="nurturing", actor="api:crm")
    lead.refresh_from_db()
    assert (lead.nurture_cadence, lead.next_touch_at) == ("", None)
