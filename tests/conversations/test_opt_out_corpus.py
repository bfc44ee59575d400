"""Opt-out that hears people: the corpora at 100% precision and recall, and the question asked
once when a refusal is not clear."""

import itertools
from io import StringIO

import pytest
from django.core.management import call_command

from conversations.keywords import Keyword, classify, load_corpus
from conversations.models import Direction, Kind, Message
from tests.factories import LeadFactory

SMS_PATH = "/webhooks/twilio/sms/"
PHONE = "+15125550100"
_sids = itertools.count(1)


def test_the_corpora_are_as_large_as_promised_in_both_languages():
    opt_outs = load_corpus("opt_outs")
    assert len(opt_outs) >= 200 and len(load_corpus("not_opt_outs")) >= 100
    spanish = [
        m
        for m in opt_outs
        if any(w in m.lower() for w in ("me ", "baja", "parar", "alto", "basta", "número"))
    ]
    assert len(spanish) >= 50


@pytest.mark.parametrize("message", load_corpus("opt_outs"))
def test_every_way_of_saying_stop_opts_out(message):
    assert classify(message) == Keyword.OPT_OUT


@pytest.mark.parametrize("message", load_corpus("not_opt_outs"))
def test_nothing_that_is_not_a_stop_opts_out(message):
    assert classify(message) not in (Keyword.OPT_OUT, Keyword.MAYBE_OPT_OUT)


@pytest.mark.parametrize("message", load_corpus("unclear_refusals"))
def test_an_unclear_refusal_is_asked_about(message):
    assert classify(message) == Keyword.MAYBE_OPT_OUT


def test_the_command_prints_precision_and_recall_at_100():
    out = StringIO()
    call_command("check_opt_outs", stdout=out)
    assert "precision 100.0%  recall 100.0%" in out.getvalue()


# --- Asked once, through the signed webhook ---------------------------------------------------------


@pytest.fixture
def borrower_texts(twilio_post, run_tasks):
    def text(body: str):
        params = {"MessageSid": f"SM{next(_sids):032x}", "From": PHONE, "To": "+15125559999", "Body": body}
        with run_tasks():
            assert twilio_post(SMS_PATH, params).status_code == 200

    return text


def compliance_texts(lead) -> list[str]:
    outbound = Message.objects.filter(lead=lead, direction=Direction.OUTBOUND, kind=Kind.COMPLIANCE)
    return list(outbound.order_by("created_at").values_list("body", flat=True))


@pytest.mark.django_db
def test_it_asks_once_and_a_yes_opts_out_with_the_borrowers_words(borrower_texts):
    lead = LeadFactory(phone=PHONE, status="contacted")
    borrower_texts("not interested")
    [question] = compliance_texts(lead)
    assert "Would you like us to stop texting you? Reply YES to stop" in question
    borrower_texts("yes")
    lead.refresh_from_db()
    assert lead.opted_out_at is not None
    assert lead.events.get(type="opted_out").data["words"] == "not interested / asked whether to stop: yes"
    assert "You are unsubscribed" in compliance_texts(lead)[-1]


@pytest.mark.django_db
def test_it_asks_only_once_and_a_no_keeps_the_conversation_going(borrower_texts):
    lead = LeadFactory(phone=PHONE, status="contacted")
    borrower_texts("no thanks")
    borrower_texts("no, keep texting, I want to buy in spring")
    borrower_texts("not interested")
    lead.refresh_from_db()
    assert lead.opted_out_at is None
    assert len(compliance_texts(lead)) == 1  # the one question, never again
    assert lead.events.filter(type="opt_out_asked").count() == 1


@pytest.mark.django_db
def test_it_asks_in_spanish_and_hears_si(borrower_texts):
    lead = LeadFactory(phone=PHONE, status="contacted", language="es")
    borrower_texts("no me interesa")
    assert "¿Quiere que dejemos de escribirle?" in compliance_texts(lead)[0]
    borrower_texts("Sí")
    lead.refresh_from_db()
    assert lead.opted_out_at is not None


@pytest.mark.django_db
def test_remove_alone_opts_out_at_once(borrower_texts):
    lead = LeadFactory(phone=PHONE, status="contacted")
    borrower_texts("REMOVE")
    lead.refresh_from_db()
    assert lead.opted_out_at is not None and lead.events.get(type="opted_out").data["words"] == "REMOVE"
