"""The officer pages in a real browser: Debian's Chromium driven by Playwright.

Screenshots go to a temporary folder; set SCREENSHOTS_DIR=docs to refresh the README's."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from conversations.models import Direction, Kind, Sender
from leads import services as lead_services
from tests.factories import MessageFactory, PoolFactory, RoutingRuleFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 1100}
CONVERSATION = [
    (Sender.BORROWER, "We want to buy in the next month. Found a 3 bed in Austin."),
    (Sender.AGENT, "Congratulations! Have you been pre-approved yet, or would you like help with that?"),
    (Sender.BORROWER, "Pre-approved for FHA already. Can I talk to a real person about closing costs?"),
    (Sender.AGENT, "Of course. I'm connecting you with a licensed loan officer now."),
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own database calls
    # are still plain synchronous code.
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


def a_qualified_borrower():
    """A real intake, a short conversation with the assistant, then qualified: routing starts."""
    lead = lead_services.lead_intake(
        phone="+15125550142",
        submitted_by="api:Website",
        source="paid",
        source_detail="Google Ads: first-time buyer campaign",
        contact={"first_name": "Maria", "last_name": "Lopez", "email": "maria@example.com", "state": "TX"},
        qualification={"loan_purpose": "purchase"},
        sms_consent=True,
        consent_text="I agree to receive texts from Acme Home Loans about my inquiry.",
        payload={"price_range": "$300k-$350k", "down_payment": "3.5%"},
    ).lead
    for sender, body in CONVERSATION:
        inbound = sender == Sender.BORROWER
        MessageFactory(
            lead=lead,
            sender=sender,
            body=body,
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            kind=Kind.INBOUND if inbound else Kind.REPLY,
            status="received" if inbound else "delivered",
        )
    lead_services.lead_update_qualification(
        lead=lead,
        changes={"loan_type": "fha", "timeline": "0_30_days", "preapproved": True, "property_found": True,
                 "property_state": "TX", "credit": "good", "first_time_buyer": True},
        actor="assistant",
    )  # fmt: skip
    lead_services.lead_set_status(lead=lead, status="qualified", actor="assistant")
    return lead


def log_in(page, url: str, officer) -> None:
    page.goto(url + "/officer/")
    expect(page).to_have_url(re.compile(r"/officer/login/\?next=/officer/"))
    page.fill("#id_username", officer.user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My offers")).to_be_visible()


def test_an_officer_claims_a_lead_and_texts_the_borrower(live_server, browser, make_officer, screenshots):
    ann = make_officer(
        name="Ann Avery", nmls_id="1234567", after_hours=True, user=UserFactory(username="ann")
    )
    bob = make_officer(name="Bob Banks", after_hours=True, user=UserFactory(username="bob"))
    RoutingRuleFactory(name="Texas purchases", pool=PoolFactory(members=[ann]), overflow=False)
    lead = a_qualified_borrower()

    page = browser.new_page(viewport=PHONE)
    log_in(page, live_server.url, ann)
    offer = page.locator("[data-offer]")
    expect(offer).to_contain_text("Maria Lopez")
    expect(offer.locator(".countdown")).to_have_text(re.compile(r"^[45]:\d\d left$"))
    page.screenshot(path=screenshots / "officer-offers-phone.png")

    offer.get_by_role("button", name="Claim").click()
    expect(page).to_have_url(re.compile(f"/officer/leads/{lead.pk}/$"))
    expect(page.locator(".messages")).to_contain_text("The lead is yours")
    expect(page.locator("#lead-status")).to_have_text("Claimed")
    expect(page.locator("#thread")).to_contain_text("Ann Avery, a licensed loan officer (NMLS #1234567)")

    page.fill(
        "textarea[name=body]", "Hi Maria, Ann here. Happy to walk you through closing costs. Free at 3?"
    )
    page.get_by_role("button", name="Send").click()
    expect(page.locator("#thread .bubble.outbound").last).to_contain_text("Free at 3?")
    expect(page.locator("#thread .bubble.outbound").last).to_contain_text("Ann Avery")

    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    assert page.evaluate(fits), "the lead page scrolls sideways on a phone"
    page.screenshot(path=screenshots / "officer-lead-page-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.reload()  # scrolled to the newest text, as an officer opening the page sees it
    page.screenshot(path=screenshots / "officer-lead-page.png", full_page=True)

    other = browser.new_context(viewport=PHONE).new_page()
    log_in(other, live_server.url, bob)
    expect(other.locator("#offers")).to_contain_text("No offers right now")
    response = other.goto(f"{live_server.url}/officer/leads/{lead.pk}/")
    assert response.status == 404


def test_the_countdown_runs_down_and_an_expired_offer_cannot_be_claimed(live_server, browser, make_officer):
    ann = make_officer(after_hours=True)
    RoutingRuleFactory(pool=PoolFactory(members=[ann]))
    lead = a_qualified_borrower()

    page = browser.new_page(viewport=PHONE)
    page.clock.install()  # the page's clock, moved by the test: no waiting
    log_in(page, live_server.url, ann)
    page.goto(f"{live_server.url}/officer/leads/{lead.pk}/")
    countdown = page.locator("[data-offer] .countdown")
    expect(countdown).to_have_text(re.compile(r"^[45]:\d\d left$"))
    page.clock.fast_forward("02:00")
    expect(countdown).to_have_text(re.compile(r"^[23]:\d\d left$"))
    page.clock.fast_forward("03:00")
    expect(countdown).to_have_text("expired")
    expect(page.get_by_role("button", name="Claim this lead")).to_be_disabled()
