"""Logins: wrong passwords pause a username from an address, and weak passwords are refused."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from routing.models import LoanOfficer
from tests.factories import LoanOfficerFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"  # the factories' password
OFFICER_LOGIN = "/officer/login/"


@pytest.fixture
def officer(db):
    return LoanOfficerFactory(user__username="jane")


def log_in(client, url, username, password):
    return client.post(url, {"username": username, "password": password})


def test_the_right_password_after_a_hundred_wrong_ones_is_refused(officer, client):
    for attempt in range(100):
        response = log_in(client, OFFICER_LOGIN, "jane", f"guess-{attempt}")

    response = log_in(client, OFFICER_LOGIN, "jane", PASSWORD)

    assert response.status_code == 429
    assert "Too many wrong passwords" in response.content.decode()
    assert client.get("/officer/").status_code == 302  # still not logged in


def test_it_pauses_after_five_wrong_passwords_and_lets_in_after_the_pause(officer, client, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for attempt in range(4):
        assert log_in(client, OFFICER_LOGIN, "jane", f"guess-{attempt}").status_code == 200
    assert log_in(client, OFFICER_LOGIN, "jane", "guess-5").status_code == 429

    time_machine.shift(timedelta(minutes=14))
    assert log_in(client, OFFICER_LOGIN, "jane", PASSWORD).status_code == 429
    time_machine.shift(timedelta(minutes=16))
    assert log_in(client, OFFICER_LOGIN, "jane", PASSWORD).status_code == 302


def test_a_colleague_at_another_address_is_not_locked_out(officer, client):
    for attempt in range(6):
        log_in(client, OFFICER_LOGIN, "jane", f"guess-{attempt}")

    elsewhere = Client(REMOTE_ADDR="203.0.113.9")

    assert log_in(elsewhere, OFFICER_LOGIN, "jane", PASSWORD).status_code == 302


def test_the_admin_login_is_paused_too(client):
    UserFactory(username="ops", is_staff=True, is_superuser=True)
    for attempt in range(5):
        log_in(client, "/admin/login/", "ops", f"guess-{attempt}")

    response = log_in(client, "/admin/login/", "ops", PASSWORD)

    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302


def create_officer(*password_args, stdin=None):
    call_command(
        "create_officer", "--username", "maria", "--name", "Maria Garcia", "--nmls", "445566",
        "--states", "TX", *password_args, stdin=stdin or io.StringIO(),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("password", "too common"),
        ("short-pw", "too short"),
        ("48213907562213", "entirely numeric"),
        ("maria-maria", "too short"),
    ],
)
def test_create_officer_refuses_a_weak_password(password, why):
    with pytest.raises(CommandError, match=why):
        create_officer("--password", password)

    assert not LoanOfficer.objects.exists()


def test_create_officer_reads_the_password_from_stdin_off_the_command_line(client):
    create_officer("--password-stdin", stdin=io.StringIO("lone-star-closings-7\n"))

    assert log_in(client, OFFICER_LOGIN, "maria", "lone-star-closings-7").status_code == 302


def test_create_officer_without_a_password_and_no_terminal_says_how_to_give_one():
    with pytest.raises(CommandError, match="--password-stdin"):
        create_officer()

    assert not LoanOfficer.objects.exists()


def test_the_admin_refuses_a_common_password_for_a_new_user(admin_client):
    response = admin_client.post(
        "/admin/auth/user/add/",
        {"username": "newops", "password1": "password", "password2": "password", "usable_password": "true"},
    )

    assert "This password is too common." in response.content.decode()
