"""The real thing, as processes, for the tests that are about processes and faults: gunicorn,
the two qcluster lanes, a redis-server and a PostgreSQL cluster of the test's own. Every one is
on a free port, writes its log under the test's tmp_path, and is always stopped; nothing here
touches the machine's own PostgreSQL (5432) or Redis (6379) beyond the test database."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import redis
from django.conf import settings
from django.db import connection

from conversations.devtools.fake_twilio import FakeTwilio
from conversations.devtools.processes import STOP_GRACE_SECONDS, free_port
from tests.conftest import TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_MESSAGING_SERVICE_SID

STARTUP_SECONDS = 60


def database_url(settings_dict: dict | None = None) -> str:
    """The test database as a DATABASE_URL, so a subprocess opens the same one."""
    settings_dict = settings_dict or connection.settings_dict
    name = settings_dict["NAME"]
    if settings_dict["ENGINE"] == "django.db.backends.sqlite3":
        assert Path(name).is_absolute(), f"a subprocess cannot open an in-memory database ({name})"
        return f"sqlite:///{name}"
    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}{settings_dict['HOST'] or ''}{port}/{quote(name, safe='')}"


def service_env(**overrides: str) -> dict:
    """Production-like settings for a subprocess on the test database: DEBUG off, the test
    process's SECRET_KEY (django-q2 signs tasks with it, whichever process queues them) and
    Twilio auth token (the tests sign webhooks with it), the console gateway unless overridden."""
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "PORT")}
    env.update(
        DJANGO_SETTINGS_MODULE="mortgage_sms.settings",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SMS_BACKEND="console",
        TWILIO_AUTH_TOKEN=TWILIO_AUTH_TOKEN,
        TWILIO_ACCOUNT_SID=TWILIO_ACCOUNT_SID,
        TWILIO_MESSAGING_SERVICE_SID=TWILIO_MESSAGING_SERVICE_SID,
        AI_BACKEND="scripted",
        Q_SYNC="false",
        Q_WORKERS="2",
        Q_PRIORITY_WORKERS="2",
        LOG_LEVEL="INFO",
    )
    env.update(overrides)
    return env


def fake_twilio() -> FakeTwilio:
    """The benchmark's fake Twilio, with the credentials the subprocesses get; start it with `with`."""
    return FakeTwilio(account_sid=TWILIO_ACCOUNT_SID, auth_token=TWILIO_AUTH_TOKEN)


def fault_env(twilio: FakeTwilio, **overrides: str) -> dict:
    """service_env with the twilio gateway against the fake, lost work looked for after 1 s
    instead of a minute, and no contact-window or holiday limits (fault tests run at any hour;
    windows have tests of their own)."""
    return service_env(
        SMS_BACKEND="twilio",
        TWILIO_API_BASE_URL=twilio.base_url,
        JOBS_LOST_AFTER_SECONDS="1",
        CONTACT_WINDOW_START_HOUR="0",
        CONTACT_WINDOW_END_HOUR="24",
        CONTACT_WINDOW_SKIP_FEDERAL_HOLIDAYS="false",
        **overrides,
    )


class Processes:
    """Subprocesses started together and stopped together: SIGTERM to all at once (gunicorn and
    qcluster stop gracefully), then each waited for; SIGKILL to the group of any still running
    after the grace period. Each has its own session and log file."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.started: list[tuple[subprocess.Popen, Path, str]] = []  # process, log, what says "ready"

    def start(self, name: str, command: list[str], env: dict, *, ready: str) -> subprocess.Popen:
        log_path = self.log_dir / f"{name}.log"
        with log_path.open("ab") as log:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((process, log_path, ready))
        return process

    def wait_ready(self) -> None:
        for process, log_path, ready in self.started:
            wait_for_log(log_path, ready, process=process)

    def stop_all(self) -> None:
        running = [process for process, _, _ in self.started if process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def web_command(port: int) -> list[str]:
    return [
        *(sys.executable, "-m", "gunicorn", "mortgage_sms.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--worker-class", "gthread", "--workers", "1", "--threads", "8"),
    ]


def start_worker(processes: Processes, env: dict, *, lane: str = "", run: int = 1) -> subprocess.Popen:
    """`manage.py qcluster`: the default lane, or the named one (Q_CLUSTER_NAME)."""
    env = {**env, "Q_CLUSTER_NAME": lane} if lane else env
    name = f"worker-{lane or 'default'}-{run}"
    return processes.start(name, [sys.executable, "manage.py", "qcluster"], env, ready="running")


@contextmanager
def services(
    env: dict, log_dir: Path, *, web: bool = True, lanes: tuple[str, ...] = ("", "priority"), run: int = 1
):
    """gunicorn (yields its base URL) and the given worker lanes, started and stopped together."""
    processes = Processes(log_dir)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    try:
        if web:
            web_env = {"PUBLIC_BASE_URL": base_url, **env}
            processes.start(f"web-{run}", web_command(port), web_env, ready="Booting worker")
        for lane in lanes:
            start_worker(processes, env, lane=lane, run=run)
        processes.wait_ready()
        if web:
            wait_until(lambda: http("GET", f"{base_url}/healthz")[0] == 200, timeout=STARTUP_SECONDS)
        yield base_url
    finally:
        processes.stop_all()


@contextmanager
def worker(env: dict, log_dir: Path, *, lane: str = "", run: int = 1):
    """One qcluster, for tests that signal it themselves."""
    processes = Processes(log_dir)
    try:
        process = start_worker(processes, env, lane=lane, run=run)
        processes.wait_ready()
        yield process
    finally:
        processes.stop_all()


@contextmanager
def workers(env: dict, log_dir: Path, *, run: int = 1):
    """Both lanes, as `make run` and the production recipe run them."""
    with services(env, log_dir, web=False, run=run):
        yield


def wait_for_log(log_path: Path, text: str, *, process: subprocess.Popen, timeout: float = STARTUP_SECONDS):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}:\n{tail(log_path)}")
        if text in log_path.read_text(errors="replace"):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{process.args} did not log {text!r} within {timeout:.0f}s:\n{tail(log_path)}")


def tail(path: Path, characters: int = 4000) -> str:
    return path.read_text(errors="replace")[-characters:] if path.exists() else "(no log)"


def wait_until(condition, *, timeout: float = 30, message: str = ""):
    """Poll a condition that other processes bring about; fail with `message` at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    result = condition()
    assert result, message or f"not true within {timeout}s"
    return result


def http(method: str, url: str, *, body: bytes = b"", headers: dict | None = None) -> tuple[int, dict, bytes]:
    """One request; (status, headers, body), errors included; status 0 if nothing answered."""
    request = urllib.request.Request(url, data=body or None, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
    except (urllib.error.URLError, ConnectionError) as error:
        return 0, {}, str(error).encode()


class RedisServer:
    """A redis-server of the test's own on a free port, with no persistence: killing it loses
    its queues, as it does in production without AOF."""

    def __init__(self, log_dir: Path):
        self.port = free_port()
        self.log_dir = log_dir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        command = [
            "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ]
        with (self.log_dir / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(command, cwd=self.log_dir, stdout=log, stderr=subprocess.STDOUT)
        wait_until(self._answers, timeout=10, message="redis-server did not start")
        return self

    def _answers(self) -> bool:
        try:
            return redis.from_url(self.url, socket_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            return False

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        if self.process and self.process.poll() is None:
            self.kill()


class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb, pg_ctl) on a free port, to stop and start
    at will. PostgreSQL refuses to run as root: then it runs as the `postgres` user, in a
    directory of its own (pytest's are private to root)."""

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="mortgage-sms-pg-"))
        self.port = free_port()
        self.bin = Path(_pg_bindir())
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=60)

    def init(self) -> "PostgresCluster":
        data = str(self.directory / "data")
        self._run(str(self.bin / "initdb"), "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        data, log = str(self.directory / "data"), str(self.directory / "postgres.log")
        self._run(str(self.bin / "pg_ctl"), "-D", data, "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """As a crash would: no shutdown checkpoint, connections cut."""
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.directory / "data"), "-m", "immediate", "-w", "stop"
        )

    def remove(self) -> None:
        """Stopped or not: gone, with its files."""
        if (self.directory / "data" / "postmaster.pid").exists():
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def _pg_bindir() -> str:
    found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=False)
    if found.returncode == 0 and Path(found.stdout.strip(), "initdb").exists():
        return found.stdout.strip()
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    assert candidates, "PostgreSQL's initdb is needed (apt-get install postgresql)"
    return str(candidates[-1].parent)
