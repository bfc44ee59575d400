"""The environment variables the contract names, read by a fresh process as production reads them."""

import json
import os
import subprocess
import sys

from django.conf import settings

CONTRACT_VARIABLES = [
    "DATABASE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "PUBLIC_BASE_URL",
    "PORT",
    "SMS_BACKEND",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_MESSAGING_SERVICE_SID",
    "TWILIO_FROM_NUMBER",
    "TWILIO_API_BASE_URL",
    "AI_BACKEND",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_MODEL",
    "ANTHROPIC_BASE_URL",
    "REDIS_URL",
    "COMPANY_NAME",
    "COMPANY_NMLS_ID",
    "WEBHOOK_ALLOW_PRIVATE_URLS",
    "TOTAL_EXPERT_CLIENT_ID",
    "TOTAL_EXPERT_CLIENT_SECRET",
    "TOTAL_EXPERT_API_BASE_URL",
]
# What a fresh process reads from them (DATABASE_URL and PORT are checked by their own effect),
# and the secure cookies that follow PUBLIC_BASE_URL.
SHOWN = [name for name in CONTRACT_VARIABLES if name not in ("DATABASE_URL", "PORT")] + [
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
]
READ = f"""
import json, django
django.setup()
from django.conf import settings
from django.db import connection
shown = {{name: getattr(settings, name) for name in {SHOWN!r}}}
shown["DATABASE"] = [connection.vendor, str(settings.DATABASES["default"]["NAME"])]
print(json.dumps(shown))
"""


def read_settings(**env) -> dict:
    environment = {k: v for k, v in os.environ.items() if k not in CONTRACT_VARIABLES}
    environment.update(DJANGO_SETTINGS_MODULE="mortgage_sms.settings", **env)
    done = subprocess.run(
        [sys.executable, "-c", READ],
        cwd=settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_embedded_defaults_are_sqlite_under_var_console_sms_and_the_scripted_agent():
    shown = read_settings(DEBUG="true")

    assert shown["DATABASE"] == ["sqlite", str(settings.BASE_DIR / "var" / "db.sqlite3")]
    assert (shown["SMS_BACKEND"], shown["AI_BACKEND"]) == ("console", "scripted")
    assert shown["PUBLIC_BASE_URL"] == "http://127.0.0.1:8000"
    assert shown["WEBHOOK_ALLOW_PRIVATE_URLS"] is False
    assert shown["TOTAL_EXPERT_CLIENT_ID"] == "" and shown["TOTAL_EXPERT_API_BASE_URL"].startswith("https://")
    assert shown["SESSION_COOKIE_SECURE"] is False


def test_the_public_url_follows_port_unless_it_is_set():
    assert read_settings(DEBUG="true", PORT="8123")["PUBLIC_BASE_URL"] == "http://127.0.0.1:8123"
    assert (
        read_settings(DEBUG="true", PORT="8123", PUBLIC_BASE_URL="https://sms.example.com")["PUBLIC_BASE_URL"]
        == "https://sms.example.com"
    )


def test_without_debug_a_secret_key_is_required():
    environment = {k: v for k, v in os.environ.items() if k not in CONTRACT_VARIABLES}
    environment.update(DJANGO_SETTINGS_MODULE="mortgage_sms.settings", DEBUG="false")

    done = subprocess.run(
        [sys.executable, "-c", READ], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )

    assert done.returncode != 0 and "SECRET_KEY" in done.stderr


def test_every_variable_of_the_contract_is_read(tmp_path):
    given = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'other.sqlite3'}",
        "SECRET_KEY": "s3cret-from-the-environment",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "sms.example.com,lb.internal",
        "PUBLIC_BASE_URL": "https://sms.example.com",
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
        "TWILIO_AUTH_TOKEN": "auth-token-from-env",
        "TWILIO_MESSAGING_SERVICE_SID": "MG" + "1" * 32,
        "TWILIO_FROM_NUMBER": "+15125550000",
        "TWILIO_API_BASE_URL": "http://127.0.0.1:9999",
        "AI_BACKEND": "claude",
        "ANTHROPIC_API_KEY": "sk-ant-from-env",
        "ANTHROPIC_MODEL": "claude-test-model",
        "ANTHROPIC_BASE_URL": "http://127.0.0.1:9998",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "COMPANY_NAME": "Lone Star Lending",
        "COMPANY_NMLS_ID": "987654",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "TOTAL_EXPERT_CLIENT_ID": "te-id",
        "TOTAL_EXPERT_CLIENT_SECRET": "te-secret",
        "TOTAL_EXPERT_API_BASE_URL": "http://127.0.0.1:9997",
    }

    shown = read_settings(**given)

    assert shown.pop("DATABASE") == ["sqlite", str(tmp_path / "other.sqlite3")]
    assert shown.pop("DEBUG") is False
    assert shown.pop("ALLOWED_HOSTS") == ["sms.example.com", "lb.internal"]
    assert shown.pop("WEBHOOK_ALLOW_PRIVATE_URLS") is True
    # Cookies are Secure when the public URL is https.
    assert (shown.pop("SESSION_COOKIE_SECURE"), shown.pop("CSRF_COOKIE_SECURE")) == (True, True)
    assert shown == {name: value for name, value in given.items() if name in shown}
