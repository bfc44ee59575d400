"""The officer's day in a real browser at phone width: the reply box and the Call button are in
reach without scrolling through the whole thread. Screenshots: SCREENSHOTS_DIR=docs."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from calls.models import Call
from conversations.models import Direction, Kind, Sender
from routing.models import PushSubscription, SavedReply, ThreadWatch
from tests.factories import LeadFactory, MessageFactory, UserFactory
from tests.routing.test_browser import DESKTOP, PHONE, browser, log_in, screenshots  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_long_conversation(lead) -> None:
    for number in range(14):
        inbound = number % 2 == 0
        MessageFactory(
            lead=lead,
            sender=Sender.BORROWER if inbound else Sender.OFFICER,
            body=f"Question {number} about closing costs, the appraisal and the rate lock timing." if inbound
            else f"Answer {number}: happy to walk you through it.",
            direction=Direction.INBOUND if inbound else Direction.OUTBOUND,
            kind=Kind.INBOUND if inbound else Kind.REPLY,
            status="received" if inbound else "delivered",
        )  # fmt: skip


def test_an_officer_on_a_phone_reaches_the_reply_box_and_calls(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    make_officer,
    screenshots,  # noqa: F811
):
    jane = make_officer(name="Jane Ramirez", after_hours=True, user=UserFactory(username="jane"))
    maria = LeadFactory(first_name="Maria", last_name="Lopez", state="TX", property_state="TX", status="claimed",
                        assigned_officer=jane, ai_paused=True, loan_purpose="purchase", temperature="hot")  # fmt: skip
    a_long_conversation(maria)
    SavedReply.objects.create(
        title="Documents", body="Hi {first_name}, {officer_first_name} here: please send your W-2s."
    )

    page = browser.new_page(viewport=PHONE)
    log_in(page, live_server.url, jane)
    page.goto(f"{live_server.url}/officer/leads/{maria.pk}/")
    call_button = page.get_by_role("button", name="📞 Call Maria")
    expect(call_button).to_be_in_viewport()
    page.get_by_role("button", name="Documents").click()
    reply = page.locator("#reply-form textarea")
    expect(reply).to_have_value("Hi Maria, Jane here: please send your W-2s.")
    box = reply.bounding_box()
    assert box["y"] < 3 * PHONE["height"], "the reply box is buried under the whole thread"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.get_by_role("button", name="Log out").bounding_box()["height"] < 32, "'Log out' on two lines"
    page.screenshot(path=screenshots / "officer-day-lead-phone.png")

    call_button.click()
    expect(page.locator(".messages")).to_contain_text("Calling your mobile")
    assert Call.objects.filter(lead=maria).count() == 1

    page.goto(f"{live_server.url}/officer/settings/")
    expect(page.get_by_role("heading", name="Availability and alerts")).to_be_visible()
    # Each tick box sits on its label's line, not stretched to the width above it.
    one_line = page.locator("label", has_text="Text me when a borrower replies").bounding_box()
    assert one_line["height"] < 32, "the check box and its label take two lines"
    page.screenshot(path=screenshots / "officer-settings-phone.png", full_page=True)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{live_server.url}/officer/leads/{maria.pk}/")
    # "Mark lost…" opens a form for the reason, and sits in line with the buttons beside it.
    won = page.get_by_role("button", name="Mark won").bounding_box()
    lost = page.locator("summary", has_text="Mark lost…").bounding_box()
    assert abs(won["y"] - lost["y"]) < 2 and abs(won["height"] - lost["height"]) < 2
    page.screenshot(path=screenshots / "officer-day-lead.png", full_page=True)
    # Another borrower texted twelve minutes ago, asking for a call: unread, first on the list.
    tom = LeadFactory(
        first_name="Tom", last_name="Nguyen", state="TX", status="claimed", assigned_officer=jane
    )
    asked = timezone.now() - timedelta(minutes=12)
    ThreadWatch.objects.create(lead=tom, officer=jane, waiting_since=asked, unread_since=asked,
                               last_inbound_at=asked, wants_call=True)  # fmt: skip
    page.goto(f"{live_server.url}/officer/")
    expect(page.locator("#my-leads")).to_contain_text(re.compile("Maria Lopez"))
    first = page.locator("#my-leads li").first
    expect(first).to_contain_text("Tom Nguyen")
    expect(first).to_contain_text("waiting 12")
    expect(first).to_contain_text("asks for a call")
    page.screenshot(path=screenshots / "officer-dashboard.png", full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=screenshots / "officer-dashboard-phone.png", full_page=True)


# Headless Chromium has no push service to reach; this stands in for it, and refuses as Chromium
# does ("no active Service Worker") when asked before the page's service worker is active.
PUSH_SERVICE_STAND_IN = """
const pushManager = Object.getOwnPropertyDescriptor(ServiceWorkerRegistration.prototype, "pushManager");
Object.defineProperty(ServiceWorkerRegistration.prototype, "pushManager", {
  get() { const manager = pushManager.get.call(this); manager.registration = this; return manager; },
});
PushManager.prototype.subscribe = function () {
  if (!this.registration.active) {
    return Promise.reject(new DOMException("Subscription failed - no active Service Worker", "AbortError"));
  }
  const keys = {p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
                auth: "tBHItJI5svbpez7KI4CCXg"};
  return Promise.resolve({toJSON: () => ({endpoint: "https://push.example.test/send/officer-phone", keys})});
};
"""


def test_an_officer_turns_on_notifications_with_one_tap(
    live_server,
    browser,  # noqa: F811 (the fixture imported above)
    make_officer,
    settings,
):
    settings.VAPID_PUBLIC_KEY = (
        "BGSqClNxfXL12K8TzvvPq64vBC_Gkuy5IDhRR8CSf2ExCWkOxy26pn_yPU8s9UAlIsjB7FcECpXziEw1jjF92Gs"
    )
    settings.VAPID_PRIVATE_KEY = "bfO20AQ7L7_efcggzYA98nBIWlXb1Xn09KQEL-edI-c"
    jane = make_officer(name="Jane Ramirez", user=UserFactory(username="jane"))
    context = browser.new_context(viewport=PHONE)
    context.grant_permissions(["notifications"])
    context.add_init_script(PUSH_SERVICE_STAND_IN)
    page = context.new_page()
    log_in(page, live_server.url, jane)

    page.goto(f"{live_server.url}/officer/settings/")
    page.get_by_role("button", name="Turn on notifications here").click()

    expect(page.locator("#push-state")).to_have_text("Notifications are on for this device.")
    assert (
        PushSubscription.objects.get(officer=jane).endpoint == "https://push.example.test/send/officer-phone"
    )
