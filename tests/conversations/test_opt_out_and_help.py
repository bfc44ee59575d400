"""STOP, START and HELP as the borrower sends them: through the signed Twilio webhook."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from conversations import services
from conversations.models import Direction, Kind, Message, MessageStatus, Sender
from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

SMS_PATH = "/webhooks/twilio/sms/"
PHONE = "+15125550100"
_sids = itertools.count(1)


@pytest.fixture
def borrower_texts(twilio_post, run_tasks):
    """The borrower at PHONE texts our number; the worker handles it."""

    def text(body: str, *, from_number: str = PHONE):
        params = {
            "MessageSid": f"SM{next(_sids):032x}",
            "From": from_number,
            "To": "+15125559999",
            "Body": body,
        }
        with run_tasks():
            response = twilio_post(SMS_PATH, params)
        assert response.status_code == 200

    return text


def sent_to(lead, kind=Kind.COMPLIANCE) -> list[str]:
    return list(
        Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, kind=kind).values_list(
            "body", flat=True
        )
    )


# Inside every borrower's window, so that the tests pass whatever the hour they run at.
NOON_IN_TEXAS = datetime(2025, 6, 3, 12, 0, tzinfo=ZoneInfo("America/Chicago"))


def nurture(lead):
    return services.send_sms(
        lead=lead, body="Rates dipped today.", kind=Kind.NURTURE, sender=Sender.NURTURE, now=NOON_IN_TEXAS
    )


def test_stop_opts_out_with_exactly_one_confirmation_then_silence(borrower_texts, run_tasks):
    lead = LeadFactory(phone=PHONE, status="contacted")

    borrower_texts("Stop.")
    borrower_texts("STOP")
    borrower_texts("Why did you text me?")
    reply = services.send_sms(lead=lead, body="Sorry!", kind=Kind.REPLY, sender=Sender.AGENT)

    lead.refresh_from_db()
    assert lead.status == "opted_out"
    [confirmation] = sent_to(lead)
    assert "unsubscribed" in confirmation and "START" in confirmation
    assert not reply.queued and not nurture(lead).queued
    assert Message.objects.filter(lead=lead, direction=Direction.OUTBOUND).count() == 1
    assert Message.objects.filter(lead=lead, direction=Direction.INBOUND).count() == 3
    [event] = lead.events.filter(type="opted_out")
    assert event.data["words"] == "Stop."


def test_a_plain_language_revocation_opts_out_with_the_borrowers_words(borrower_texts):
    lead = LeadFactory(phone=PHONE)

    borrower_texts("Please stop texting me, I already got a loan")

    lead.refresh_from_db()
    assert lead.status == "opted_out"
    assert len(sent_to(lead)) == 1
    assert lead.events.get(type="opted_out").data["words"] == "Please stop texting me, I already got a loan"


def test_a_spanish_revocation_is_confirmed_in_spanish(borrower_texts):
    lead = LeadFactory(phone=PHONE, language="es")

    borrower_texts("No me manden más mensajes")

    lead.refresh_from_db()
    assert lead.status == "opted_out"
    [confirmation] = sent_to(lead)
    assert "Se ha dado de baja" in confirmation


@pytest.mark.parametrize("words", ["START", "unstop", "Yes"])
def test_start_unstop_or_yes_opt_back_in_with_one_confirmation(borrower_texts, words):
    lead = LeadFactory(phone=PHONE, status="contacted")
    borrower_texts("STOP")

    borrower_texts(words)

    lead.refresh_from_db()
    assert lead.opted_out_at is None
    assert lead.status == "contacted"
    _, opt_in_confirmation = sent_to(lead)
    assert "subscribed again" in opt_in_confirmation
    assert lead.events.get(type="opted_in").data["words"] == words
    assert nurture(lead).queued


@pytest.mark.parametrize("words", ["START", "Unstop"])
def test_a_second_start_is_neither_confirmed_again_nor_taken_for_a_reply(borrower_texts, words):
    lead = LeadFactory(phone=PHONE, status="contacted")
    borrower_texts("STOP")
    borrower_texts(words)

    borrower_texts(words)

    lead.refresh_from_db()
    assert lead.status == "contacted"
    assert len(sent_to(lead)) == 2
    assert lead.events.filter(type="opted_in").count() == 1


def test_yes_from_a_subscribed_borrower_is_an_answer(borrower_texts):
    lead = LeadFactory(phone=PHONE, status="contacted")

    borrower_texts("Yes")

    lead.refresh_from_db()
    assert lead.status == "qualifying"
    assert sent_to(lead) == []
    assert not lead.events.filter(type="opted_in").exists()


def test_a_question_that_mentions_stop_does_not_opt_out(borrower_texts):
    lead = LeadFactory(phone=PHONE, status="contacted")

    borrower_texts("Can you stop by my house to look at the appraisal?")

    lead.refresh_from_db()
    assert lead.opted_out_at is None
    assert lead.status == "qualifying"
    assert sent_to(lead) == []


def test_help_answers_with_company_nmls_opt_out_rates_and_contact(borrower_texts, settings):
    settings.SUPPORT_CONTACT = "(512) 555-0111"
    lead = LeadFactory(phone=PHONE)

    borrower_texts("help")
    borrower_texts("INFO")

    first, second = sent_to(lead)
    for expected in [
        "Acme Home Loans",
        "NMLS #123456",
        "STOP",
        "Msg & data rates may apply",
        "(512) 555-0111",
    ]:
        assert expected in first
    assert first == second
    lead.refresh_from_db()
    assert lead.opted_out_at is None


def test_help_is_answered_even_without_sms_consent(borrower_texts):
    lead = LeadFactory(phone=PHONE, sms_consent=False)

    borrower_texts("HELP")

    assert len(sent_to(lead)) == 1


def test_help_after_stop_gets_no_answer(borrower_texts):
    lead = LeadFactory(phone=PHONE)

    borrower_texts("STOP")
    borrower_texts("HELP")

    assert len(sent_to(lead)) == 1  # the opt-out confirmation alone: nothing ever again


def test_a_stranger_who_texts_first_becomes_a_lead_and_is_not_greeted_as_a_form_fill(borrower_texts):
    borrower_texts("Hi, saw your ad. Looking to refinance my house", from_number="+17375550188")

    lead = Lead.objects.get(phone="+17375550188")
    assert lead.source == "organic"
    assert lead.sms_consent
    assert "Looking to refinance" in lead.consent_text
    assert lead.status == "qualifying"
    assert lead.loan_purpose == "refinance"
    # The assistant answers what they said; no "thanks for your inquiry" greeting.
    assert list(lead.messages.order_by("created_at").values_list("direction", "kind")) == [
        ("inbound", "inbound"),
        ("outbound", "reply"),
    ]


def test_a_stranger_who_texts_stop_is_confirmed_once_and_never_texted(borrower_texts):
    borrower_texts("STOP", from_number="+17375550189")

    lead = Lead.objects.get(phone="+17375550189")
    assert lead.status == "opted_out"
    assert not lead.sms_consent
    assert len(sent_to(lead)) == 1
    assert not nurture(lead).queued


def test_the_confirmation_goes_out_through_twilio(fake_twilio, borrower_texts):
    LeadFactory(phone=PHONE)

    borrower_texts("UNSUBSCRIBE")

    [request] = fake_twilio.messages_created
    assert request.form["To"] == PHONE
    assert "unsubscribed" in request.form["Body"]
    assert Message.objects.get(kind=Kind.COMPLIANCE).status == MessageStatus.SENT


def test_stop_then_start_leaves_a_do_not_contact_lead_do_not_contact(borrower_texts):
    lead = LeadFactory(phone=PHONE, status="do_not_contact", do_not_contact=True)

    borrower_texts("STOP")
    borrower_texts("START")

    lead.refresh_from_db()
    assert lead.do_not_contact
    assert lead.status == "do_not_contact"
    assert lead.opted_out_at is None
    assert not nurture(lead).queued
    assert len(sent_to(lead)) == 1  # the opt-out confirmation; the CRM's block stands
