"""The Content-Security-Policy in a real browser: every page we serve works under it, and the
browser reports no blocked script or style (Debian's Chromium driven by Playwright)."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect, sync_playwright

from tests.factories import (
    LoanOfficerFactory,
    PoolFactory,
    QualifiedLeadFactory,
    RoutingRuleFactory,
    UserFactory,
)

CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.violations = []
        page.on(
            "console",
            lambda message: (
                "Content Security Policy" in message.text and page.violations.append(message.text)
            ),
        )
        yield page
        browser.close()


def log_in(page, url, username):
    page.goto(url)
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("[type=submit]").click()


def test_the_officer_pages_run_their_scripts_under_the_policy(live_server, page):
    officer = LoanOfficerFactory(user=UserFactory(username="ann"), after_hours=True)
    RoutingRuleFactory(pool=PoolFactory(members=[officer]))
    lead = QualifiedLeadFactory(first_name="Maria", status="claimed", assigned_officer=officer)

    log_in(page, f"{live_server.url}/officer/login/", "ann")
    page.goto(f"{live_server.url}/officer/leads/{lead.pk}/")
    page.once("dialog", lambda dialog: dialog.dismiss())  # the inline-free confirmation still asks
    page.get_by_role("button", name="Release").click()

    expect(page.locator("#lead-status")).to_have_text("Claimed")
    assert page.violations == []


def test_the_admin_the_simulator_and_the_api_docs_work_under_the_policy(live_server, page):
    ops = UserFactory(username="ops", is_staff=True, is_superuser=True)
    ops.user_permissions.add(Permission.objects.get(codename="use_simulator"))
    lead = QualifiedLeadFactory(first_name="Maria")

    log_in(page, f"{live_server.url}/admin/login/", "ops")
    for path in ["/admin/", "/admin/leads/lead/", f"/admin/leads/lead/{lead.pk}/change/",
                 "/admin/routing/loanofficer/add/", "/simulator/", f"/simulator/{lead.pk}/"]:  # fmt: skip
        page.goto(live_server.url + path)
    page.goto(f"{live_server.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Mortgage SMS API")
    expect(page.locator(".opblock-summary-path").first).to_have_text(re.compile("/api/v1/"))

    assert page.violations == []
