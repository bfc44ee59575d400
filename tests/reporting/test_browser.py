"""The reports page in Chromium: the filters change the figures; the page reads on a phone."""

import pytest
from playwright.sync_api import expect

from tests.browser import DESKTOP, FITS, PHONE, admin_log_in, chromium, screenshots  # noqa: F401
from tests.factories import UserFactory
from tests.reporting.dataset import SINCE, UNTIL, build_week

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_filters_change_the_figures(live_server, chromium, screenshots):  # noqa: F811
    build_week()
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")
    page.get_by_role("link", name="Reports").first.click()
    page.fill("#id_since", SINCE)
    page.fill("#id_until", UNTIL)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#figure-leads")).to_have_text("5")
    expect(page.locator("#figure-speed-p50")).to_have_text("3.0 s")
    expect(page.locator("#figure-off-hours")).to_have_text("40.0%")
    page.screenshot(path=screenshots / "reports.png", full_page=True)

    page.select_option("#id_source", "paid")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#figure-leads")).to_have_text("2")
    expect(page.locator("#table-funnel_by_source tbody tr")).to_have_count(1)
    page.fill("#id_campaign", "Spring promo")
    page.select_option("#id_source", "")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("#figure-leads")).to_have_text("2")
    expect(page.locator("#figure-qualified")).to_have_text("100.0%")

    with page.expect_download() as download:
        page.locator("#table-funnel_by_campaign a.csv").click()
    assert download.value.suggested_filename == "funnel_by_campaign_20260302-20260308.csv"

    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/admin/reports/?since={SINCE}&until={UNTIL}")
    expect(page.locator("#figure-leads")).to_have_text("5")
    assert page.evaluate(FITS), "the reports page scrolls sideways on a phone"
    # A chart keeps a readable size (it scrolls in its own box) instead of shrinking to the screen.
    funnel = page.locator(".chart-box svg").first.bounding_box()
    assert funnel["width"] >= 600
    page.screenshot(path=screenshots / "reports-phone.png", full_page=True)
