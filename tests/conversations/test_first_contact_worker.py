"""The first text goes out through the real django-q2 worker (`qcluster`), not inline mode."""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django_q.conf import Conf

from conversations.models import Message

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Generous for a loaded CI machine; on an idle one the text is out in about two seconds.
DEADLINE_SECONDS = 30


def database_url(settings_dict: dict) -> str:
    """The test database as a DATABASE_URL, so a subprocess opens the same one."""
    name = settings_dict["NAME"]
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        assert Path(name).is_absolute(), f"the worker cannot open an in-memory database ({name})"
        return f"sqlite:///{name}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{settings_dict['HOST'] or ''}{port}/{quote(name, safe='')}"


@pytest.fixture
def worker(tmp_path):
    """A real `manage.py qcluster` on the test database; always stopped afterwards."""
    log_path = tmp_path / "qcluster.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mortgage_sms.settings",
        "DEBUG": "true",
        "SECRET_KEY": settings.SECRET_KEY,  # django-q2 signs task packages with it
        "DATABASE_URL": database_url(connection.settings_dict),
        "SMS_BACKEND": "console",
        "Q_SYNC": "false",
    }
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "qcluster"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        yield lambda: log_path.read_text(errors="replace")[-3000:]
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def enqueue_for_the_worker(monkeypatch):
    # tests/settings.py runs tasks inline; here they must go to the broker for the worker.
    monkeypatch.setattr(Conf, "SYNC", False)


def wait_for(condition, *, deadline_seconds: float):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    return condition()


def test_it_texts_a_lead_posted_through_the_api_from_the_real_worker(api, enqueue_for_the_worker, worker):
    response = api.post(
        "/api/v1/leads/",
        {"first_name": "Rosa", "phone": "(512) 555-0142", "sms_consent": True, "consent_text": "I agree"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    lead_id = response.json()["id"]

    def sent_texts():
        messages = api.get(f"/api/v1/leads/{lead_id}/messages/").json()["results"]
        return [m for m in messages if m["status"] == "sent"]

    sent = wait_for(sent_texts, deadline_seconds=DEADLINE_SECONDS)
    assert len(sent) == 1, f"no text sent within {DEADLINE_SECONDS}s; worker log:\n{worker()}"
    assert sent[0]["direction"] == "outbound"
    assert "Rosa" in sent[0]["body"]
    assert "STOP" in sent[0]["body"]
    assert Message.objects.get(pk=sent[0]["id"]).provider_sid.startswith("CONSOLE")
