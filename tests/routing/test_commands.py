from datetime import UTC, datetime
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from leads.models import Lead
from routing import demo
from routing.models import LoanOfficer, Offer

pytestmark = pytest.mark.django_db

PASSWORD = "lone-star-closings-7"
User = get_user_model()


def test_create_officer_makes_a_login_for_the_officer_pages(client):
    out = StringIO()
    call_command(
        "create_officer", "--username", "jr", "--password", PASSWORD, "--name", "Jane Ramirez",
        "--nmls", "1234567", "--states", "tx,OK", "--products", "conventional,fha,va", stdout=out,
    )  # fmt: skip
    officer = LoanOfficer.objects.get(user__username="jr")
    assert (officer.licensed_states, officer.products) == (["TX", "OK"], ["conventional", "fha", "va"])
    assert "Jane Ramirez (NMLS 1234567)" in out.getvalue()
    assert client.post("/officer/login/", {"username": "jr", "password": PASSWORD}).status_code == 302


def create_officer(*flags: str) -> LoanOfficer:
    out = StringIO()
    call_command(
        "create_officer", "--username", "mk", "--password", PASSWORD, "--name", "Mia Kent",
        "--nmls", "7654321", "--states", "TX", *flags, stdout=out,
    )  # fmt: skip
    officer = LoanOfficer.objects.get(user__username="mk")
    officer.output = out.getvalue()
    return officer


def test_an_officer_created_with_after_hours_takes_offers_at_night():
    saturday_night = datetime(2026, 11, 29, 4, tzinfo=UTC)  # Saturday 22:00 in Chicago

    night_owl = create_officer("--after-hours")

    assert night_owl.after_hours and "takes offers after hours" in night_owl.output
    assert night_owl.takes_offers_at(saturday_night) and not night_owl.is_working_at(saturday_night)


def test_an_officer_created_without_after_hours_takes_offers_only_in_working_hours():
    officer = create_officer()

    assert not officer.after_hours
    assert not officer.takes_offers_at(datetime(2026, 11, 29, 4, tzinfo=UTC))


def test_an_officer_created_without_products_offers_them_all():
    assert create_officer().products == ["conventional", "fha", "va", "usda", "jumbo"]


def test_the_officers_mobile_and_email_are_kept_for_alerts_and_calls():
    officer = create_officer("--phone", "(512) 555-0100", "--email", "mia@example.com")

    assert (officer.mobile_phone, officer.email) == ("+15125550100", "mia@example.com")


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--phone", "555-0100"], "is not a valid phone number"),
        (["--email", "mia@"], "is not an e-mail address"),
    ],
)
def test_create_officer_refuses_a_bad_mobile_or_email_and_creates_no_login(flags, message):
    with pytest.raises(CommandError, match=message):
        create_officer(*flags)
    assert not LoanOfficer.objects.exists() and not User.objects.filter(username="mk").exists()


def test_create_officer_refuses_an_unknown_state():
    with pytest.raises(CommandError, match="Unknown states: XX"):
        call_command(
            "create_officer",
            "--username",
            "x",
            "--password",
            "p",
            "--name",
            "X",
            "--nmls",
            "1",
            "--states",
            "TX,XX",
        )
    assert not LoanOfficer.objects.exists()


def test_the_demo_seeds_two_officers_and_an_offered_lead_once(clock, run_tasks):
    for _ in range(2):
        with run_tasks():
            demo.seed(StringIO())
    assert sorted(LoanOfficer.objects.values_list("user__username", flat=True)) == ["jane", "marcus"]
    lead = Lead.objects.get(phone=demo.DEMO_BORROWER_PHONE)
    assert lead.status == "offered"
    assert Offer.objects.filter(lead=lead).count() == 2
