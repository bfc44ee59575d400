"""Start and always stop the subprocesses of a local run (web server, worker)."""

import os
import signal
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

STOP_GRACE_SECONDS = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def manage(*args: str, env: dict, log_path: Path) -> str:
    """Run one `manage.py` command to completion; its stdout, or an error naming the log."""
    with log_path.open("ab") as log:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=log,
            timeout=300,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"manage.py {args[0]} failed (exit {done.returncode}); see {log_path}")
    return done.stdout.decode()


@contextmanager
def running(command: list[str], *, env: dict, log_path: Path):
    """A long-running subprocess in its own process group, stopped on the way out whatever happens."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us only; we stop it in order
        )
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (gunicorn and qcluster shut down gracefully), then SIGKILL the whole group."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE_SECONDS)
    except subprocess.TimeoutExpired:
        # Still alive, so its group id is still ours: take its forked workers down with it.
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
