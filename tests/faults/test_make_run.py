"""`make run` as a developer uses it: gunicorn and both worker lanes, the public URL following
PORT, and Ctrl-C stopping all of it."""

import json
import os
import signal
import subprocess
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from twilio.request_validator import RequestValidator

from conversations.devtools.processes import free_port
from tests import stack

pytestmark = pytest.mark.faults

STOP_SECONDS = 40


def processes_of_this_run(database_url: str) -> list[int]:
    """Every process started for this run, found by its environment (each run has its own
    database file), whichever session or process group it put itself in."""
    marker = f"DATABASE_URL={database_url}".encode()
    found = []
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if marker in environ.read_bytes().split(b"\0"):
                found.append(int(environ.parent.name))
        except OSError:
            continue  # gone meanwhile, or not ours to read
    return found


def texted(log_path: Path, last_digits: str) -> bool:
    """The console gateway logged a text to the number ending so (logs mask the rest)."""
    lines = stack.tail(log_path, 200_000).splitlines()
    return any("SMS to" in line and f"{last_digits} (CONSOLE" in line for line in lines)


def ctrl_c(process: subprocess.Popen) -> None:
    """What a terminal does: SIGINT to the foreground process group."""
    os.killpg(process.pid, signal.SIGINT)


def start_make_run(tmp_path: Path, port: int, **env_overrides: str) -> tuple[subprocess.Popen, dict, Path]:
    """`make run` as a terminal starts it, on a database file of this run's own: the process,
    its environment (its DATABASE_URL finds the run's processes) and the log it writes."""
    database_url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "PUBLIC_BASE_URL")}
    env.update(PORT=str(port), DATABASE_URL=database_url, **env_overrides)
    log_path = tmp_path / "make-run.log"
    with log_path.open("wb") as log:
        make = subprocess.Popen(
            ["make", "run"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a terminal's foreground job: its own process group
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a shell leaves it
        )
    return make, env, log_path


def signed_inbound_params(base_url: str, phone: str, body: str, sid: str) -> tuple[dict, dict]:
    """A borrower's text as Twilio posts it to `base_url`, signed over the public URL."""
    params = {"MessageSid": sid, "From": phone, "To": "+15125559999", "Body": body}
    url = f"{base_url}/webhooks/twilio/sms/"
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    return params, {"X-Twilio-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}


def readme_post_a_lead(port: int) -> str:
    """The README's commands that make an API token and post a lead, as a newcomer pastes them
    in another terminal (only the port is this run's)."""
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("Post a lead the way a CRM or a web form would.", 1)[1]
    commands = section.split("```sh\n", 1)[1].split("```", 1)[0]
    assert "127.0.0.1:8000" in commands
    return commands.replace("127.0.0.1:8000", f"127.0.0.1:{port}")


def test_make_run_serves_on_port_and_ctrl_c_stops_web_and_workers(tmp_path):
    port = free_port()
    make, env, log_path = start_make_run(tmp_path, port, TWILIO_AUTH_TOKEN=settings.TWILIO_AUTH_TOKEN)
    database_url = env["DATABASE_URL"]
    try:
        base_url = f"http://127.0.0.1:{port}"
        stack.wait_until(
            lambda: stack.http("GET", f"{base_url}/healthz")[0] == 200,
            timeout=180,
            message=f"make run did not serve:\n{stack.tail(log_path)}",
        )
        # Twilio signs the public URL: accepted only if PUBLIC_BASE_URL followed PORT.
        params, headers = signed_inbound_params(
            base_url, "+15125550177", "Hi, I'd like to refinance", "SM" + "c" * 32
        )
        status = stack.http(
            "POST", f"{base_url}/webhooks/twilio/sms/", body=urlencode(params).encode(), headers=headers
        )[0]
        assert status == 200
        stack.wait_until(
            lambda: texted(log_path, "0177"),
            timeout=60,
            message=f"the worker did not answer:\n{stack.tail(log_path)}",
        )
        assert len(processes_of_this_run(database_url)) >= 3

        # The README's token and curl, pasted as written: a 201 and the borrower's first text.
        pasted = subprocess.run(
            ["bash", "-c", readme_post_a_lead(port)],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert pasted.returncode == 0, pasted.stderr
        lead = json.loads(pasted.stdout)
        assert lead["phone"] == "+15125550100" and lead["not_texted_reason"] is None, lead
        stack.wait_until(
            lambda: texted(log_path, "0100"),
            timeout=60,
            message=f"the README's lead was not texted:\n{stack.tail(log_path)}",
        )

        ctrl_c(make)

        make.wait(timeout=STOP_SECONDS)
        stack.wait_until(
            lambda: not processes_of_this_run(database_url),
            timeout=STOP_SECONDS,
            message=f"left running after Ctrl-C:\n{stack.tail(log_path)}",
        )
        assert "Mortgage SMS stopped." in stack.tail(log_path)
    finally:
        for pid in processes_of_this_run(database_url):
            os.kill(pid, signal.SIGKILL)
