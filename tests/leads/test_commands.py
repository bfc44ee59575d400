import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from integrations.models import ApiClient
from routing.models import LoanOfficer

pytestmark = pytest.mark.django_db


def test_create_api_client_prints_a_working_token_once_and_stores_only_its_hash(capsys):
    call_command("create_api_client", "Acme CRM")

    token = capsys.readouterr().out.strip().splitlines()[-1]
    client = ApiClient.objects.get(name="Acme CRM")
    assert token not in (client.token_hash, client.token_prefix)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/leads/").status_code == 200


def test_create_api_client_refuses_a_duplicate_name():
    call_command("create_api_client", "Acme CRM")

    with pytest.raises(CommandError, match="exists already"):
        call_command("create_api_client", "Acme CRM")


def test_create_officer_makes_a_login_with_licenses_and_products(client):
    call_command(
        "create_officer", "--username", "maria", "--password", "lone-star-closings-7", "--name", "Maria Garcia",
        "--nmls", "445566", "--states", "tx,OK", "--products", "conventional,fha,va",
    )  # fmt: skip

    officer = LoanOfficer.objects.get(nmls_id="445566")
    assert officer.licensed_states == ["TX", "OK"]
    assert officer.products == ["conventional", "fha", "va"]
    assert (
        client.post("/officer/login/", {"username": "maria", "password": "lone-star-closings-7"}).status_code
        == 302
    )


def test_create_officer_offers_every_product_by_default():
    call_command(
        "create_officer", "--username", "li", "--password", "lone-star-closings-7", "--name", "Li", "--nmls", "1",
        "--states", "CA",
    )  # fmt: skip

    assert set(LoanOfficer.objects.get().products) == {"conventional", "fha", "va", "usda", "jumbo"}


def test_create_officer_rejects_an_unknown_state():
    with pytest.raises(CommandError, match="ZZ"):
        call_command(
            "create_officer", "--username", "x", "--password", "lone-star-closings-7", "--name", "X", "--nmls", "1",
            "--states", "TX,ZZ",
        )  # fmt: skip
    assert not LoanOfficer.objects.exists()


def test_seed_demo_can_run_twice(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    assert ApiClient.objects.filter(name="Demo CRM").count() == 1


def test_seed_demo_refuses_to_make_published_logins_without_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG=true"):
        call_command("seed_demo")

    assert not User.objects.exists() and not LoanOfficer.objects.exists()


def test_make_runs_seed_demo_says_there_is_no_demo_data_without_debug_and_succeeds(settings, capsys):
    settings.DEBUG = False

    call_command("seed_demo", "--skip-unless-debug")

    assert "DEBUG is false: no demo data" in capsys.readouterr().out
    assert not User.objects.exists() and not LoanOfficer.objects.exists()
