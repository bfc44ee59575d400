"""The variant a borrower gets is the text they get, and the API and webhooks say which."""

import json
from datetime import UTC, datetime

import pytest
import time_machine

from conversations.models import Kind, Message
from conversations.services import first_contact_send
from experiments.models import Assignment, Experiment, Variant
from integrations.payloads import lead_data
from nurture.dispatch import nurture_dispatch
from nurture.models import Cadence
from nurture.services import enrollment_start
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db
NOON_IN_TEXAS = datetime(2026, 10, 6, 17, 0, tzinfo=UTC)


def only_variant(target="first_text", step=None, body="", body_es=""):
    """A test with one variant, so every borrower gets it and the test knows what was sent."""
    experiment = Experiment.objects.create(name="Shorter", target=target, step=step)
    return Variant.objects.create(experiment=experiment, name="B", body=body, body_es=body_es)


def post_inquiry(api, run_tasks, **fields):
    body = {
        "first_name": "Ana",
        "phone": "512-555-0100",
        "state": "TX",
        "sms_consent": True,
        "consent_text": "I agree to receive texts from Acme Home Loans.",
        **fields,
    }
    with time_machine.travel(NOON_IN_TEXAS, tick=False), run_tasks():
        return api.post("/api/v1/leads/", body, format="json")


def test_the_first_text_is_the_borrowers_variant_and_the_api_says_which(api, run_tasks):
    variant = only_variant(
        body="Hi {first_name}, {company} (NMLS {company_nmls}) here about your {loan_topic}. {question}"
    )
    lead_id = post_inquiry(api, run_tasks, loan_purpose="refinance").json()["id"]
    greeting = Message.objects.get(kind=Kind.FIRST_CONTACT)
    assert greeting.body.startswith(
        "Hi Ana, Acme Home Loans (NMLS 123456) here about your refinance. When are you"
    )
    assert greeting.body.endswith("Reply STOP to opt out.")
    assert Assignment.objects.get(lead_id=lead_id).message == greeting
    shown = api.get(f"/api/v1/leads/{lead_id}/").json()["ab_variants"]
    assert shown == [
        {"test_id": variant.experiment_id, "test": "Shorter", "target": "first_text", "variant": "B"}
    ]
    assert json.loads(json.dumps(lead_data(lead_id), default=str))["ab_variants"] == shown  # webhooks


def test_a_control_variant_sends_the_current_text(api, run_tasks):
    only_variant(body="")
    post_inquiry(api, run_tasks)
    assert Message.objects.get(kind=Kind.FIRST_CONTACT).body.startswith(
        "Hi Ana, it's Acme Home Loans (NMLS #"
    )


def test_a_spanish_speaker_without_a_spanish_wording_gets_the_current_spanish_text():
    only_variant(body="Hi {first_name}! {question}", body_es="")
    lead = LeadFactory(language="es", first_name="Luz", phone="+15125550199", created_at=NOON_IN_TEXAS)
    inquiry = lead.inquiries.create(source="web", sms_consent=True)
    with time_machine.travel(NOON_IN_TEXAS, tick=False):
        first_contact_send(lead_id=lead.pk, inquiry_id=inquiry.pk)
    assert Message.objects.get(kind=Kind.FIRST_CONTACT).body.startswith("Hola Luz, le escribe")


def test_a_cadence_step_under_test_sends_the_variant(run_tasks):
    cadence = Cadence.objects.get(slug="no_reply_yet")
    step = cadence.steps.order_by("position").first()
    only_variant(target="cadence_step", step=step, body="{first_name}, quick one: buy or refi?")
    lead = LeadFactory(first_name="Ana", state="TX", status="contacted")
    with time_machine.travel(NOON_IN_TEXAS, tick=False):
        enrollment_start(lead=lead, cadence=cadence, actor="test", start_now=True)
    with time_machine.travel(NOON_IN_TEXAS, tick=False), run_tasks():
        assert nurture_dispatch() == {"sent": 1}
    text = Message.objects.get(kind=Kind.NURTURE)
    assert text.body.startswith("Ana, quick one: buy or refi?")
    assert Assignment.objects.get(lead=lead).message == text
