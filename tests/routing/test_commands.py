from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from leads.models import Lead
from routing import demo
from routing.models import LoanOfficer, Offer

pytestmark = pytest.mark.django_db

PASSWORD = "lone-star-closings-7"


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
