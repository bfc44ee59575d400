"""Headers a browser and a proxy act on: CSP, no caching of borrowers' data, https only."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.factories import LoanOfficerFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(django_settings.BASE_DIR)
# The project's templates: the shared folder and each app's own.
TEMPLATES = [
    path
    for folder in [BASE_DIR / "templates", *BASE_DIR.glob("*/templates")]
    if ".venv" not in folder.parts
    for path in folder.rglob("*.html")
]


@pytest.fixture
def officer_client(client):
    client.force_login(LoanOfficerFactory().user)
    return client


def test_officer_pages_allow_only_their_own_scripts(officer_client):
    response = officer_client.get("/officer/")

    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert (
        "object-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    )
    scripts = re.findall(r"<script([^>]*)>", response.content.decode())
    assert scripts and all(f'nonce="{nonce}"' in attributes for attributes in scripts)


def test_every_inline_script_in_the_templates_carries_the_pages_nonce():
    missing = [
        f"{path.relative_to(BASE_DIR)}: {tag}"
        for path in TEMPLATES
        for tag in re.findall(r"<script\b[^>]*>", path.read_text())
        if "src=" not in tag and 'nonce="{{ request.csp_nonce }}"' not in tag
    ]
    handlers = [
        str(path.relative_to(BASE_DIR)) for path in TEMPLATES if re.search(r"\son[a-z]+=", path.read_text())
    ]

    assert missing == [] and handlers == []  # inline handlers (onclick=...) cannot carry a nonce


@pytest.mark.parametrize("url", ["/officer/", "/officer/login/", "/api/v1/leads/", "/admin/login/"])
def test_pages_and_api_answers_are_never_cached(officer_client, api, url):
    response = (api if url.startswith("/api/") else officer_client).get(url)

    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_plain_http_is_redirected_and_https_gets_hsts(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000

    redirected = client.get("/officer/login/")
    secure = client.get("/officer/login/", secure=True)

    assert redirected.status_code == 301 and redirected["Location"] == "https://testserver/officer/login/"
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_a_forwarded_proto_header_is_not_trusted_unless_configured(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get("/officer/login/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 503
    assert "PROXY_SSL_HEADER=X-Forwarded-Proto" in response.content.decode()


def test_a_configured_proxy_header_is_trusted(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    response = client.get("/officer/login/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200 and "Strict-Transport-Security" in response


def run_manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")}
    environment.update(env, DJANGO_SETTINGS_MODULE="mortgage_sms.settings")
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_an_https_deployment_passes_djangos_deployment_checks():
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50), PUBLIC_BASE_URL="https://sms.example.com",
        ALLOWED_HOSTS="sms.example.com", DEBUG="false",
    )  # fmt: skip

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
