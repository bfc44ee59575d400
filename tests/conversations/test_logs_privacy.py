"""What a compliance officer reading the logs finds: phone numbers masked, no borrower's text
(the console gateway, which exists to show texts on a developer's screen, excepted)."""

import io
import logging
import sys

import pytest
from django.test import RequestFactory
from django.utils import timezone
from django.views.debug import ExceptionReporter

from conversations import services
from conversations.models import Kind, Sender
from leads import services as lead_services
from mortgage_sms.privacy import MaskingFormatter, mask_phone_numbers
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_output():
    """What the configured log handler writes, as the operator's terminal or journal gets it."""
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h.formatter, MaskingFormatter)]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


@pytest.mark.parametrize(
    "written",
    ["+15125550100", "(512) 555-0100", "512-555-0100", "512.555.0100", "5125550100", "1 512 555 0100"],
)
def test_it_masks_a_phone_number_however_it_is_written(written):
    assert mask_phone_numbers(f"To {written}: failed") == "To ***-***-0100: failed"


@pytest.mark.parametrize(
    "kept",
    ["lead 550e8400-e29b-41d4-a716-446655440000", "SM0123456789abcdef0123456789abcdef", "took 1764589200"],
)
def test_it_leaves_ids_and_other_numbers_alone(kept):
    assert mask_phone_numbers(kept) == kept


def test_a_carriers_error_quoting_the_number_is_logged_masked(fake_twilio, run_tasks, log_output):
    lead = LeadFactory(phone="+15125550123")
    fake_twilio.fail_next(status=400, code=21211, message="The 'To' number +15125550123 is not valid.")
    lead_services.lead_record_inbound(lead_id=lead.pk, at=timezone.now())

    with run_tasks():
        services.send_sms(
            lead=lead, body="Your pre-approval letter is ready", kind=Kind.REPLY, sender=Sender.AGENT
        )

    logged = log_output.getvalue()
    assert "21211" in logged and "***-***-0123" in logged
    assert "5550123" not in logged and "pre-approval letter" not in logged


def test_the_console_gateway_shows_the_text_with_the_number_masked(run_tasks, log_output):
    lead = LeadFactory(phone="+15125550124")
    lead_services.lead_record_inbound(lead_id=lead.pk, at=timezone.now())

    with run_tasks():
        services.send_sms(lead=lead, body="Happy to help", kind=Kind.REPLY, sender=Sender.AGENT)

    logged = log_output.getvalue()
    assert "Happy to help" in logged and "***-***-0124" in logged and "5550124" not in logged


def test_an_error_email_names_the_posted_fields_but_not_their_values(settings):
    settings.DEBUG = False
    request = RequestFactory().post("/webhooks/twilio/sms/", {"From": "+15125550125", "Body": "my ssn is"})
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()

    assert "Body" in report and "From" in report
    assert "my ssn is" not in report and "5550125" not in report
