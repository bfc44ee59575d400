"""The admin in Chromium at 1280 px and on a phone: lists fit, newest first, words not codes."""

import importlib
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment
from calls.models import Call
from conversations.models import ContactRule, Direction, Kind
from leads import services as lead_services
from routing.models import Offer, RoutingRequest
from tests.browser import DESKTOP, FITS, PHONE, admin_log_in, chromium, screenshots  # noqa: F401
from tests.factories import LeadFactory, LoanOfficerFactory, MessageFactory, RoutingRuleFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# The list is not cut off: Django's changelist scrolls a table wider than its column inside its
# box (under the filters), so the page's own width says nothing.
RESULTS_FIT = "(() => { const box = document.querySelector('#changelist .results'); return box.scrollWidth <= box.clientWidth && box.getBoundingClientRect().right <= window.innerWidth; })()"
COLUMN_WIDTHS = "[...document.querySelectorAll('#result_list thead th')].map((th) => th.className + ' ' + Math.round(th.getBoundingClientRect().width)).join(', ') + ' in ' + document.querySelector('#changelist .results').clientWidth"


def some_leads():
    now = timezone.now()
    officer = LoanOfficerFactory(name="Jane Doe")
    older = LeadFactory(first_name="Olga", last_name="Older", created_at=now - timedelta(days=2), source="paid",
                        source_detail="Google Ads: first-time buyers, spring campaign", assigned_officer=officer)  # fmt: skip
    newest = LeadFactory(first_name="Nina", last_name="Newest", created_at=now, loan_purpose="cash_out_refinance",
                         property_state="TX", temperature="hot", status="qualified")  # fmt: skip
    lead_services.lead_update_qualification(
        lead=newest,
        changes={"timeline": "1_3_months", "property_found": False, "loan_type": "fha"},
        actor="agent",
    )
    for minutes, body in (
        (30, "We want to refinance and take some cash out for a kitchen remodel."),
        (5, "Yes"),
    ):
        MessageFactory(lead=newest, direction=Direction.INBOUND, kind=Kind.INBOUND, sender="borrower",
                       status="received", body=body, created_at=now - timedelta(minutes=minutes))  # fmt: skip
    return older, newest


def test_the_lists_fit_1280_px_newest_first_and_the_lead_reads_in_words(live_server, chromium, screenshots):  # noqa: F811
    _, newest = some_leads()
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")
    expect(page.locator("#timezone-note")).to_contain_text("Times in America/Chicago")

    page.goto(f"{live_server.url}/admin/leads/lead/")
    expect(page.locator("#result_list tbody tr").first).to_contain_text("Nina Newest")
    expect(page.locator("#result_list tbody tr").first).to_contain_text("Cash-out refinance · TX")
    expect(page.locator("#result_list tbody tr").nth(1)).to_contain_text(
        "Google Ads: first-time buyers, spring c…"
    )
    page.screenshot(path=screenshots / "admin-leads.png")
    assert page.evaluate(RESULTS_FIT), f"the leads list is cut off at 1280 px: {page.evaluate(COLUMN_WIDTHS)}"

    page.goto(f"{live_server.url}/admin/conversations/message/")
    expect(page.locator("#result_list tbody tr").first).to_contain_text("Yes")
    assert page.evaluate(RESULTS_FIT), f"the texts list is cut off at 1280 px: {page.evaluate(COLUMN_WIDTHS)}"
    page.screenshot(path=screenshots / "admin-messages.png")

    page.goto(f"{live_server.url}/admin/leads/lead/{newest.pk}/change/")
    timeline = page.locator("table.timeline")
    for words in ("Timeline: 1-3 months", "Property found: no", "Loan type: FHA"):
        expect(timeline).to_contain_text(words)
    expect(page.get_by_role("link", name="Text the borrower")).to_be_visible()
    page.screenshot(path=screenshots / "admin-lead.png", full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=screenshots / "admin-lead-phone.png", full_page=True)


def test_state_lists_are_two_boxes_with_a_filter_sorted_by_name(live_server, chromium, screenshots):  # noqa: F811
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")
    page.goto(f"{live_server.url}/admin/routing/routingrule/add/")
    available = page.locator("#id_property_states_from option")
    expect(available.first).to_have_text("Alabama")
    page.locator("#id_property_states_input").press_sequentially("tex")
    expect(page.locator("#id_property_states_from option")).to_have_text(["Texas"])
    page.locator("#id_property_states_from option", has_text="Texas").dblclick()
    expect(page.locator("#id_property_states_to option")).to_have_text(["Texas"])
    page.screenshot(path=screenshots / "admin-routing-rule-states.png")


def test_the_routing_and_contact_rule_lists_fit_1280_px(live_server, chromium):  # noqa: F811
    seed = importlib.import_module("conversations.migrations.0006_seed_state_contact_rules")
    for rule in seed.RULES:  # a transactional test may start with the seeded rules flushed
        ContactRule.objects.update_or_create(
            state=rule["state"], defaults={**rule, "checked_on": seed.CHECKED}
        )
    lead = LeadFactory(first_name="Alexandria", last_name="Montgomery-Fitzgerald", status="claimed")
    officers = [LoanOfficerFactory(name=name) for name in ("Jane Ramirez-Oyelaran", "Marcus Lee-Whitfield")]
    routing = RoutingRequest.objects.create(
        lead=lead, reason="qualified", status="claimed", claimed_by=officers[0],
        note="Nobody was eligible at first: both officers were out of office, then Jane came back.",
    )  # fmt: skip
    RoutingRequest.objects.create(
        lead=LeadFactory(first_name="Bartholomew", last_name="Vanderbilt-Castellanos"), reason="qualified",
        status="waiting", note="Nobody is licensed in Wyoming and on duty: ops, give it to someone.",
    )  # fmt: skip
    rule = RoutingRuleFactory(name="Texas purchases: first to claim")
    for officer, status in zip(officers, ("taken", "claimed"), strict=True):
        Offer.objects.create(request=routing, lead=lead, officer=officer, rule=rule, strategy="broadcast",
                             status=status, expires_at=timezone.now(), decided_at=timezone.now())  # fmt: skip
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")

    cut_off = []
    for path in ("conversations/contactrule", "routing/offer", "routing/routingrequest", "routing/opsqueue"):
        page.goto(f"{live_server.url}/admin/{path}/")
        if not page.evaluate(RESULTS_FIT):
            cut_off.append(f"{path}: {page.evaluate(COLUMN_WIDTHS)}")
    assert not cut_off, f"cut off at 1280 px: {cut_off}"
    page.goto(f"{live_server.url}/admin/conversations/contactrule/")
    expect(page.locator("#result_list")).to_contain_text("first text any hour; replies wait")


def test_the_calls_and_appointments_lists_fit_1280_px(live_server, chromium):  # noqa: F811
    officer = LoanOfficerFactory(name="Jane Ramirez-Oyelaran")
    lead = LeadFactory(first_name="Alexandria", last_name="Montgomery-Fitzgerald", status="claimed")
    now = timezone.now()
    Call.objects.create(lead=lead, officer=officer, status="no_answer", officer_number="+17375550100",
                        borrower_number=lead.phone, note="The officer's phone rang out: nobody pressed 1, "
                        "the borrower was never dialled")  # fmt: skip
    Appointment.objects.create(lead=lead, officer=officer, starts_at=now + timedelta(days=1),
                               ends_at=now + timedelta(days=1, minutes=30), booked_by="borrower (by text)")  # fmt: skip
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")

    cut_off = []
    for path in ("calls/call", "appointments/appointment"):
        page.goto(f"{live_server.url}/admin/{path}/")
        expect(page.locator("#result_list tbody tr")).to_have_count(1)
        if not page.evaluate(RESULTS_FIT):
            cut_off.append(f"{path}: {page.evaluate(COLUMN_WIDTHS)}")
    assert not cut_off, f"cut off at 1280 px: {cut_off}"
