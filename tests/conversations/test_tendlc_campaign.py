"""manage.py tendlc_campaign: a 10DLC registration filled in from the live texts."""

from io import StringIO

import pytest
from django.core.management import call_command

from nurture.models import CadenceStep
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("tendlc_campaign", stdout=out)
    return out.getvalue()


def test_it_prints_the_registration_from_the_live_texts(settings):
    settings.COMPANY_NAME, settings.COMPANY_NMLS_ID = "Lone Star Lending", "7654321"
    LeadFactory(consent_text="I agree to texts from Lone Star Lending about my loan inquiry.")
    step = CadenceStep.objects.get(cadence__slug="no_reply_yet", position=1)
    step.body = "Hi {first_name}, it's {company}. Still there? Ask me anything about your {loan_topic}."
    step.save()
    output = run()
    for section in ("== Description ==", "== Message flow (opt-in) ==", "== Sample messages ==",
                    "== Opt-out keywords ==", "== Help message =="):  # fmt: skip
        assert section in output
    assert "Lone Star Lending (NMLS #7654321)" in output
    assert 'Disclosure on file (1 recent leads): "I agree to texts from Lone Star Lending' in output
    assert "Hi Maria, it's Lone Star Lending. Still there?" in output  # the edited step, as sent
    assert "Direct lending or loan arrangement: YES" in output
    assert "REMOVE" in output and "SMS segment(s)" in output
