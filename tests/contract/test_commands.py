"""The management commands as the README has them, run as an operator would: in a shell
(a process of their own, reading the environment) and through call_command."""

import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from integrations.models import ApiClient
from mortgage_sms.scopes import Scope
from routing.models import LoanOfficer

pytestmark = pytest.mark.django_db
PASSWORD = "lone-star-closings-7"


def manage(*args, tmp_path, stdin="", **env):
    """`manage.py ARGS` in a shell, on an SQLite database of its own, migrated first."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environment.update({"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", **env})
    if not (tmp_path / "db.sqlite3").exists():
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput"],
            cwd=settings.BASE_DIR,
            env=environment,
            check=True,
            capture_output=True,
        )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_create_api_client_in_a_shell_prints_the_token_alone_on_its_last_line(tmp_path):
    done = manage("create_api_client", "Acme CRM", tmp_path=tmp_path)

    token = done.stdout.splitlines()[-1]
    assert done.returncode == 0 and token.strip() == token and " " not in token and len(token) >= 32


def test_create_api_client_gives_every_scope_by_default():
    call_command("create_api_client", "Everything", stdout=io.StringIO(), stderr=io.StringIO())

    assert set(ApiClient.objects.get().scopes) == {
        "leads:create",
        "leads:read",
        "leads:write",
        "webhooks",
        "metrics:read",
    }
    assert set(Scope.values) == set(ApiClient.objects.get().scopes)


def test_create_api_client_takes_the_scopes_it_is_given():
    out = io.StringIO()
    call_command(
        "create_api_client", "Web form", "--scopes", "leads:create", stdout=out, stderr=io.StringIO()
    )
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {out.getvalue().splitlines()[-1]}")

    assert ApiClient.objects.get().scopes == ["leads:create"]
    assert api.post("/api/v1/leads/", {"phone": "+15125550142"}, format="json").status_code == 201
    assert api.get("/api/v1/leads/").status_code == 403


def test_create_api_client_refuses_an_unknown_scope():
    with pytest.raises(CommandError):
        call_command("create_api_client", "Typo", "--scopes", "leads:create,lead:read", stderr=io.StringIO())
    assert not ApiClient.objects.exists()


def test_create_officer_takes_every_flag_of_the_contract(client):
    call_command(
        "create_officer", "--username", "maria", "--password", PASSWORD, "--name", "Maria Garcia",
        "--nmls", "445566", "--states", "TX,OK", "--products", "conventional,fha,va",
        "--phone", "+15125550100", "--email", "maria@lender.example.com", "--after-hours",
        stdout=io.StringIO(),
    )  # fmt: skip

    officer = LoanOfficer.objects.get(nmls_id="445566")
    assert (officer.name, officer.licensed_states, officer.products) == (
        "Maria Garcia",
        ["TX", "OK"],
        ["conventional", "fha", "va"],
    )
    assert (officer.mobile_phone, officer.email, officer.after_hours) == (
        "+15125550100",
        "maria@lender.example.com",
        True,
    )
    assert client.post("/officer/login/", {"username": "maria", "password": PASSWORD}).status_code == 302


def test_create_officer_without_after_hours_keeps_to_working_hours():
    call_command(
        "create_officer", "--username", "li", "--password", PASSWORD, "--name", "Li", "--nmls", "1",
        "--states", "CA", stdout=io.StringIO(),
    )  # fmt: skip

    officer = LoanOfficer.objects.get()
    assert officer.after_hours is False and officer.mobile_phone == "" and officer.email == ""


def test_create_officer_in_a_shell_with_the_password_on_the_command_line_or_on_stdin(tmp_path):
    on_line = manage(
        "create_officer", "--username", "ann", "--password", PASSWORD, "--name", "Ann", "--nmls", "1",
        "--states", "TX", tmp_path=tmp_path,
    )  # fmt: skip
    on_stdin = manage(
        "create_officer", "--username", "bob", "--password-stdin", "--name", "Bob", "--nmls", "2",
        "--states", "TX", tmp_path=tmp_path, stdin=PASSWORD + "\n",
    )  # fmt: skip

    assert (on_line.returncode, on_stdin.returncode) == (0, 0), on_line.stderr + on_stdin.stderr
    assert "Created officer Ann" in on_line.stdout and "Created officer Bob" in on_stdin.stdout


def test_seed_demo_runs_with_debug_and_refuses_without(tmp_path):
    with_debug = manage("seed_demo", tmp_path=tmp_path)
    without = manage("seed_demo", tmp_path=tmp_path, DEBUG="false", SECRET_KEY="contract-test")

    assert with_debug.returncode == 0, with_debug.stderr
    assert without.returncode != 0 and "DEBUG" in without.stderr
