"""`DEBUG=false make run`, as an operator trying the production settings on one machine: it
makes no demo data (no published logins, no demo token), says so, and serves."""

import os
import signal
import sqlite3

import pytest

from conversations.devtools.processes import free_port
from tests import stack
from tests.faults.test_make_run import STOP_SECONDS, ctrl_c, processes_of_this_run, start_make_run

pytestmark = pytest.mark.faults


def test_make_run_without_debug_seeds_nothing_and_serves(tmp_path):
    port = free_port()
    make, env, log_path = start_make_run(tmp_path, port, DEBUG="false", SECRET_KEY="contract-test-key")
    database_url = env["DATABASE_URL"]
    database = tmp_path / "db.sqlite3"
    try:
        base_url = f"http://127.0.0.1:{port}"
        stack.wait_until(
            lambda: stack.http("GET", f"{base_url}/healthz")[0] == 200,
            timeout=180,
            message=f"DEBUG=false make run did not serve:\n{stack.tail(log_path)}",
        )
        assert stack.http("GET", f"{base_url}/admin/login/")[0] == 200
        assert stack.http("GET", f"{base_url}/readyz")[0] == 200
        assert "DEBUG is false: no demo data" in stack.tail(log_path, 200_000)
        with sqlite3.connect(database) as db:
            made = [
                db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                for table in ("auth_user", "integrations_apiclient", "routing_loanofficer")
            ]
        assert made == [0, 0, 0]

        ctrl_c(make)
        make.wait(timeout=STOP_SECONDS)
    finally:
        for pid in processes_of_this_run(database_url):
            os.kill(pid, signal.SIGKILL)
