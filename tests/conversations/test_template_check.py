"""The automated-text checker: segments as carriers bill them, Reg Z trigger terms, rate figures,
the first text's identity; enforced where nurture steps and re-engagement cadences are saved."""

import io

import pytest
from django.core.exceptions import ValidationError

from conversations import regz
from conversations.template_check import check_text, segments
from mortgage_sms.errors import ApplicationError
from nurture.imports import reengagement_import_queue
from nurture.models import Cadence, CadenceStep, Trigger


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a" * 160, ("GSM-7", 1)),
        ("a" * 161, ("GSM-7", 2)),
        ("a" * 306, ("GSM-7", 2)),
        ("a" * 307, ("GSM-7", 3)),
        ("[]" * 80, ("GSM-7", 3)),  # brackets are escaped: two septets each
        ("We" + "\u2019" + "re here " + "a" * 60, ("UCS-2", 2)),  # one curly apostrophe: 70 a segment
        ("Hola, ¿cómo está? " + "a" * 50, ("UCS-2", 1)),
        ("\U0001f600" * 36, ("UCS-2", 2)),  # an emoji is two UTF-16 units
    ],
)
def test_it_counts_segments_as_carriers_bill_them(text, expected):
    result = segments(text)
    assert (result.encoding, result.segments) == expected


def test_it_names_the_character_that_forces_ucs2():
    assert segments("Don\u2019t miss it").describe().startswith("1 SMS segment(s), UCS-2 because of '\u2019'")


@pytest.mark.parametrize(
    "text, term",
    [
        ("Buy with only 3% down this spring!", "down_payment"),
        ("Put $10,000 down and move in", "down_payment"),
        ("97% financing available", "down_payment"),
        ("Lock a 30-year fixed today", "repayment_period"),
        ("Repay over 360 monthly payments", "repayment_period"),
        ("Payments from $1,299 a month", "payment_amount"),
        ("Only $1,850/mo for a new home", "payment_amount"),
        ("Closing costs under $2,000", "finance_charge"),
        ("No closing costs in December", "finance_charge"),
        ("Solo 5% de enganche", "down_payment"),
    ],
)
def test_it_finds_reg_z_trigger_terms(text, term):
    assert term in regz.trigger_terms(text)


@pytest.mark.parametrize(
    "text",
    [
        "No down payment programs may be available; ask a loan officer.",
        "Reply anytime to reconnect with Acme Home Loans.",
        "We have 20 years of experience helping buyers.",
        "It takes 5 minutes to apply.",
        "Pay weekly or monthly, whatever suits you.",
    ],
)
def test_it_leaves_texts_without_terms_alone(text):
    assert regz.trigger_terms(text) == []


def test_it_refuses_trigger_terms_and_rate_figures_with_a_reason_ops_can_act_on():
    report = check_text("Rates as low as 5.99% with 3.5% down!", opt_out_line="Reply STOP to opt out.")
    assert not report.ok
    assert any("Reg Z trigger term" in e and "1026.24(d)" in e for e in report.errors)
    assert "It quotes a rate, APR or payment figure." in report.errors


def test_it_counts_the_opt_out_line_send_sms_will_add():
    text = "a" * 140
    assert check_text(text).segments.segments == 1
    report = check_text(text, opt_out_line="Reply STOP to opt out.")
    assert report.segments.segments == 2 and "opt-out line is added" in report.notes[0]


def test_the_first_text_must_name_the_company_and_its_nmls_id():
    report = check_text("Hi Ana, ready to talk?", needs_identity=True, company="Acme Home Loans")
    assert len(report.errors) == 2
    ok = check_text(
        "Hi Ana, Acme Home Loans (NMLS #1234) here.", needs_identity=True, company="Acme Home Loans"
    )
    assert ok.ok


# --- Where automated texts are saved ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_nurture_step_quoting_terms_cannot_be_saved():
    step = CadenceStep(
        cadence=Cadence.objects.get(slug="not_ready_yet"),
        position=99,
        delay_amount=1,
        body="Hi {first_name}, buy now with 3% down and payments of $1,400 a month!",
    )
    with pytest.raises(ValidationError, match="Reg Z trigger term"):
        step.full_clean()


@pytest.mark.django_db
def test_every_shipped_cadence_text_passes_the_checker():
    from nurture.services import cadence_text_errors

    for cadence in Cadence.objects.all():
        assert cadence_text_errors(cadence) == [], cadence.slug


@pytest.mark.django_db
def test_a_reengagement_cadences_first_step_must_carry_the_company_and_nmls():
    cadence = Cadence.objects.create(name="Spring re-engagement", slug="spring", trigger=Trigger.MANUAL)
    step = CadenceStep(cadence=cadence, position=1, delay_amount=0, body="Hi {first_name}, still looking?")
    with pytest.raises(ValidationError, match="NMLS"):
        step.full_clean()
    step.body = "Hi {first_name}, {company} (NMLS #{company_nmls}) here. Still looking for a home?"
    step.full_clean()


@pytest.mark.django_db
def test_the_csv_reengagement_refuses_a_cadence_whose_texts_break_the_rules():
    cadence = Cadence.objects.create(name="Old promo", slug="old-promo", trigger=Trigger.MANUAL)
    # Saved before the checker existed (or edited outside the admin): no save-time check ran.
    CadenceStep.objects.create(
        cadence=cadence,
        position=1,
        delay_amount=0,
        body="{company} NMLS {company_nmls}: 30-year fixed, 0 down!",
    )
    with pytest.raises(ApplicationError, match="checker refuses"):
        reengagement_import_queue(
            upload=io.BytesIO(b"phone,sms_consent\n5125550100,yes\n"),
            file_name="old.csv",
            cadence=cadence,
            actor="ops",
            consent_text="x",
        )


@pytest.mark.django_db
def test_an_officers_one_to_one_text_is_not_checked():
    from conversations.models import Kind, Sender
    from conversations.services import send_sms
    from tests.factories import LeadFactory

    result = send_sms(
        lead=LeadFactory(),
        body="With 3% down your payment would be about $1,900.",
        kind=Kind.REPLY,
        sender=Sender.OFFICER,
    )
    assert result.queued


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("purpose", [None, "purchase", "cash_out_refinance"])
def test_the_first_text_carries_what_carriers_and_regulators_expect(language, purpose, settings):
    from conversations import texts
    from leads.models import Lead

    settings.COMPANY_NMLS_ID = "1234567"
    lead = Lead(first_name="Ana", language=language, loan_purpose=purpose)
    body = texts.first_contact_text(lead)
    report = check_text(body, needs_identity=True, company=settings.COMPANY_NAME)
    assert [e for e in report.errors if "SMS segment" not in e] == []
    # Spanish needs accents (UCS-2): a first text with the timeline question costs up to five
    # segments; the three-segment cap is for the templates ops write.
    assert report.segments.segments <= (2 if language == "en" else 5)
    assert "NMLS #1234567" in body and "STOP" in body
    assert ("HELP" if language == "en" else "AYUDA") in body
    assert body.rstrip().endswith("?")  # the question comes last
    if language == "en":
        assert "Msg frequency varies; msg & data rates may apply." in body
        assert report.segments.encoding == "GSM-7"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/admin/nurture/cadence/add/", "/admin/experiments/experiment/add/"])
def test_automated_text_editors_show_the_segment_count_while_typing(admin_client, url):
    page = admin_client.get(url).content.decode()
    assert "conversations/segment_counter.js" in page and "data-segment-counter" in page
