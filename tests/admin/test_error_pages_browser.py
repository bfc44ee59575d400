"""The 403 and 404 pages and the page behind "View site", in Chromium: the officer on a phone,
ops at 1280 px. Screenshots: SCREENSHOTS_DIR=docs."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser import DESKTOP, FITS, PHONE, admin_log_in, chromium, screenshots  # noqa: F401
from tests.factories import LoanOfficerFactory, UserFactory
from tests.routing.test_browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_on_a_phone_following_an_old_alert_finds_the_way_back(live_server, chromium, screenshots):  # noqa: F811
    jane = LoanOfficerFactory(name="Jane Ramirez")
    page = chromium.new_page(viewport=PHONE)
    log_in(page, live_server.url, jane)

    response = page.goto(f"{live_server.url}/officer/leads/{uuid.uuid4()}/")
    assert response.status == 404
    expect(page.get_by_text("another officer may have claimed it")).to_be_visible()
    assert page.evaluate(FITS)
    page.screenshot(path=screenshots / "error-404-officer-phone.png", full_page=True)
    page.get_by_role("link", name="My offers and leads").click()
    expect(page.get_by_role("heading", name="My offers")).to_be_visible()


def test_ops_without_a_permission_are_told_whom_to_ask_and_view_site_says_where_to_work(
    live_server,
    chromium,  # noqa: F811
    screenshots,  # noqa: F811
):
    UserFactory(username="clerk", is_staff=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "clerk")

    response = page.goto(f"{live_server.url}/admin/reports/")
    assert response.status == 403
    expect(page.get_by_text("Ask an administrator")).to_be_visible()
    page.screenshot(path=screenshots / "error-403.png", full_page=True)

    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="View site").click()
    expect(page.get_by_role("link", name="Admin", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Reports")).to_have_count(0)  # this login may not open them
    page.screenshot(path=screenshots / "view-site.png", full_page=True)
