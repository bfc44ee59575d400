"""A/B test results in Chromium: the verdict, the end that keeps the winner."""

import pytest
from playwright.sync_api import expect

from tests.browser import DESKTOP, FITS, PHONE, admin_log_in, chromium, screenshots  # noqa: F401
from tests.experiments.test_results import run_test
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_ops_read_the_results_and_keep_the_winner(live_server, chromium, screenshots):  # noqa: F811
    experiment = run_test(
        {
            "A": {"sent": 120, "replied": 14, "qualified": 6},
            "B": {"sent": 118, "replied": 33, "qualified": 12, "opted_out": 2},
        }
    )
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    page = chromium.new_page(viewport=DESKTOP)
    admin_log_in(page, live_server.url, "ops")
    page.goto(f"{live_server.url}/admin/experiments/experiment/")
    page.get_by_role("link", name="First text", exact=True).click()
    expect(page.locator("#ab-results tr[data-variant=B]")).to_contain_text("33 of 118: 28.0%")
    expect(page.locator("#ab-verdicts")).to_contain_text("B gets more replies than A")
    expect(page.locator("#ab-verdicts")).to_contain_text("the difference is real at 95% confidence")
    page.screenshot(path=screenshots / "ab-test-results.png", full_page=True)

    page.get_by_role("link", name="End the test…").click()
    expect(
        page.get_by_role("radio", name="B", exact=True)
    ).to_be_checked()  # the best reply rate is suggested
    page.set_viewport_size(PHONE)
    assert page.evaluate(FITS), "the end page scrolls sideways on a phone"
    page.screenshot(path=screenshots / "ab-test-end-phone.png", full_page=True)
    page.get_by_role("button", name="End the test").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "The test has ended. B is now the text everyone gets."
    )
    expect(page.locator("#ab-results tr[data-variant=B]")).to_contain_text("kept")
    experiment.refresh_from_db()
    assert experiment.winner.name == "B"
