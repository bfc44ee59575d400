"""The compliance pages in a real browser (Debian's Chromium, Playwright): the admin's "when may
we text this lead" page and the printable consent record.

Screenshots go to a temporary folder; set SCREENSHOTS_DIR=docs to refresh the docs'."""

import importlib
import os
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect, sync_playwright

from conversations.models import ContactRule, Direction, Kind, MessageStatus, Sender
from leads import services as lead_services
from leads.choices import ConsentScope
from tests.factories import MessageFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 1200}
PASSWORD = "correct horse battery"
CENTRAL = ZoneInfo("America/Chicago")
SUNDAY_MORNING = datetime(2026, 10, 18, 9, 30, tzinfo=CENTRAL)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get("SCREENSHOTS_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def state_rules():
    """The shipped state rules: a transactional test's database starts empty of migration data
    whenever an earlier one flushed it."""
    seed = importlib.import_module("conversations.migrations.0006_seed_state_contact_rules")
    for rule in seed.RULES:
        ContactRule.objects.update_or_create(
            state=rule["state"], defaults={**rule, "checked_on": seed.CHECKED}
        )


@pytest.fixture
def admin_page(browser, live_server):
    UserFactory(username="ops", password=PASSWORD, is_staff=True, is_superuser=True)
    page = browser.new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "ops")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    return page


def a_borrower_with_a_history():
    """A web-form lead with its consent evidence, her answer, a bounced nudge and a phone opt-out."""
    inquiry_at = SUNDAY_MORNING - timedelta(days=3)
    with time_machine.travel(inquiry_at, tick=True):
        lead = lead_services.lead_intake(
            phone="+15125550142",
            submitted_by="api:Website",
            source="web",
            contact={"first_name": "Maria", "last_name": "Lopez", "state": "TX", "zip_code": "78701"},
            sms_consent=True,
            consent_text="By checking this box I agree to receive text messages from Acme Home Loans about my "
            "inquiry at the number above, including by automated means. Consent is not a condition of purchase. "
            "Msg frequency varies. Msg & data rates may apply. Reply HELP for help, STOP to cancel.",
            consent_evidence={
                "consent_at": inquiry_at - timedelta(seconds=4),
                "consent_ip": "203.0.113.7",
                "consent_user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1",
                "consent_page_url": "https://acmehomeloans.example/apply?utm_source=google",
                "trustedform_cert_url": "https://cert.trustedform.com/2f7c3a9e1b0d4c55a6e8f9012b3c4d5e6f7a8b9c",
            },
        ).lead
    thread = [
        (Direction.INBOUND, Sender.BORROWER, Kind.INBOUND, MessageStatus.RECEIVED, "buy, next spring probably"),
        (Direction.OUTBOUND, Sender.NURTURE, Kind.NURTURE, MessageStatus.UNDELIVERED,
         "Hi Maria, Acme Home Loans checking in. No rush on your home purchase. Reply STOP to opt out."),
    ]  # fmt: skip
    for hours, (direction, sender, kind, status, body) in enumerate(thread, start=1):
        MessageFactory(
            lead=lead, direction=direction, sender=sender, kind=kind, status=status, body=body,
            created_at=inquiry_at + timedelta(hours=hours),
        )  # fmt: skip
    with time_machine.travel(SUNDAY_MORNING, tick=True):
        lead_services.lead_opt_out(
            lead=lead,
            words="Please don't text me anymore, I'll call you",
            actor="officer:jane",
            channel="phone",
        )
    return lead


def test_ops_see_when_a_texas_borrower_may_be_texted_on_a_sunday(
    state_rules, admin_page, live_server, screenshots
):
    lead = lead_services.lead_intake(
        phone="+15125550143",
        submitted_by="api:Website",
        contact={"first_name": "Ana", "last_name": "Garza", "state": "TX", "zip_code": "78701"},
        sms_consent=True,
        consent_text="I agree to receive texts from Acme Home Loans.",
    ).lead
    admin_page.goto(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    admin_page.click("text=When may we text this lead?")
    expect(admin_page.locator("h1")).to_contain_text("When may we text Ana Garza")
    # Ops plan ahead: Sunday 09:30 in Austin (the page's own clock is the server's).
    admin_page.fill("#at", "2026-10-18T09:30")
    admin_page.click("#check-at")
    expect(admin_page.locator(".verdict")).to_contain_text("Not now")
    expect(admin_page.locator(".verdict")).to_contain_text("Sunday Oct 18, 12:00")
    expect(admin_page.locator("body")).to_contain_text("Tex. Bus. & Com. Code § 301.051")
    expect(admin_page.locator("#nurture-consent")).to_contain_text("prior express written consent is on file")
    admin_page.screenshot(path=screenshots / "admin-when-may-we-text.png", full_page=True)


def test_the_consent_record_prints_what_a_lawyer_needs(admin_page, live_server, screenshots):
    lead = a_borrower_with_a_history()
    admin_page.goto(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    with admin_page.expect_popup() as popup:
        admin_page.click("text=Printable")
    record = popup.value
    record.set_viewport_size(DESKTOP)
    expect(record.locator("h1")).to_contain_text("Consent record: Maria Lopez")
    expect(record.locator("body")).to_contain_text("203.0.113.7")
    expect(record.locator("body")).to_contain_text("Please don't text me anymore, I'll call you")
    expect(record.locator("body")).to_contain_text("undelivered")
    expect(record.locator("#consent-scope")).to_contain_text("Prior express written consent")
    record.screenshot(path=screenshots / "consent-record.png", full_page=True)
    with record.expect_download() as download:
        record.click("text=Download JSON")
    assert download.value.suggested_filename == f"consent-record-{lead.pk}.json"


def test_a_borrower_who_texted_first_is_shown_as_consenting_to_the_conversation_only(
    state_rules, admin_page, live_server, screenshots
):
    lead = lead_services.lead_intake(
        phone="+15125550177",
        submitted_by="inbound sms",
        source="organic",
        source_detail="Texted our number first",
        sms_consent=True,
        consent_text="Borrower texted our number first: 'hi, want to buy a house in dallas'",
        consent_scope=ConsentScope.CONVERSATION,
    ).lead
    admin_page.goto(f"{live_server.url}/admin/leads/lead/{lead.pk}/change/")
    with admin_page.expect_popup() as popup:
        admin_page.click("text=Printable")
    record = popup.value
    record.set_viewport_size(DESKTOP)
    expect(record.locator("#consent-scope")).to_contain_text("The conversation only.")
    expect(record.locator("body")).to_contain_text("consent yes (conversation only)")
    record.screenshot(path=screenshots / "consent-record-texted-first.png", full_page=True)
    admin_page.click("text=When may we text this lead?")
    expect(admin_page.locator("#nurture-consent")).to_contain_text("No: the borrower texted us first")
    admin_page.screenshot(path=screenshots / "admin-when-may-we-text-texted-first.png", full_page=True)


def test_the_consent_record_reads_on_a_phone(browser, admin_page, live_server):
    lead = a_borrower_with_a_history()
    phone = browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        storage_state=admin_page.context.storage_state(),
    )
    record = phone.new_page()
    record.goto(f"{live_server.url}/admin/leads/lead/{lead.pk}/consent-record/")

    expect(record.locator("h1")).to_contain_text("Consent record: Maria Lopez")
    # Laid out for the phone's width (not a 980 px desktop page shrunk), and nothing sticks out.
    assert record.evaluate("window.innerWidth") == 390
    assert record.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_step_editor_counts_segments_while_ops_type(admin_page, live_server):
    admin_page.goto(f"{live_server.url}/admin/nurture/cadence/add/")
    admin_page.click("text=Add another Cadence step")
    body = admin_page.locator("textarea[name='steps-0-body']")
    body.fill("Hi {first_name}, just checking in. " + "x" * 140)
    expect(admin_page.locator(".segment-count").first).to_contain_text("2 SMS segment(s), GSM-7")
    body.fill("We\u2019re here when you are.")
    expect(admin_page.locator(".segment-count").first).to_contain_text('UCS-2 because of "\u2019"')
