"""Speed to lead, end to end: REST API -> web server -> django-q2 worker -> Twilio SDK -> fake Twilio.

Everything runs on 127.0.0.1 against a fresh database; every process started here is stopped.
The same run can be made with the bare app (conversations/devtools/bare_app), the least a
Django + DRF + django-q2 app does for a lead, to compare the product's costs with it.

CPU is read from /proc for every process of the web server's and the worker's trees (and the
database server's connections, on PostgreSQL), from the end of the warm-up to a moment after
the last text: start-up and imports are not counted."""

import json
import math
import os
import secrets
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import environ
import phonenumbers
from django.conf import settings

from conversations.devtools.fake_twilio import FakeTwilio
from conversations.devtools.processes import free_port, manage, running

STARTUP_TIMEOUT_SECONDS = 60
WARMUP_LEADS = 4
ACCOUNT_SID = "AC" + "b" * 32
MESSAGING_SERVICE_SID = "MG" + "b" * 32


@dataclass(frozen=True)
class App:
    """What is benchmarked: the product, or the bare app beside it."""

    name: str
    settings_module: str
    wsgi: str
    token_command: tuple[str, ...]  # a manage.py command printing an API token last


PRODUCT = App(
    name="product",
    settings_module="mortgage_sms.settings",
    wsgi="mortgage_sms.wsgi:application",
    token_command=("create_api_client", "Benchmark"),
)
BARE = App(
    name="bare",
    settings_module="conversations.devtools.bare_app.settings",
    wsgi="conversations.devtools.bare_app.wsgi:application",
    token_command=("create_bare_token",),
)
APPS = {app.name: app for app in (PRODUCT, BARE)}
# After the last text, the worker finishes its task (recording the answer, and whatever the text
# sets off); this long is counted as part of the burst.
SETTLE_SECONDS = 1.0
IDLE_SAMPLE_SECONDS = 3.0


@dataclass(frozen=True)
class BenchOptions:
    leads: int
    concurrency: int
    rate: float  # leads per second; 0: as fast as the clients go
    database_url: str  # empty: a fresh SQLite file under var/
    web_workers: int
    web_threads: int
    twilio_delay: float
    timeout: float
    work_dir: Path


@dataclass
class Post:
    phone: str
    started: float
    answered: float = 0.0
    status: int = 0
    error: str = ""


@dataclass(frozen=True)
class CpuSample:
    at: float  # time.monotonic()
    web: float  # seconds of CPU, the web server's process tree
    worker: float  # the worker's
    database: float | None  # the database server's connections (PostgreSQL), None elsewhere

    @property
    def services(self) -> float:
        return self.web + self.worker


@dataclass
class BenchResult:
    app: str
    posts: list[Post]
    accepted_at: dict[str, float]
    database: str
    idle: tuple[CpuSample, CpuSample]  # before the burst: what polling costs with nothing to do
    burst: tuple[CpuSample, CpuSample]  # from the first POST to SETTLE_SECONDS after the last text

    def idle_rate(self, part: str) -> float:
        first, last = self.idle
        return (_part(last, part) - _part(first, part)) / (last.at - first.at)

    def cpu_per_lead(self, part: str, *, without_idle: bool = True) -> float | None:
        """Seconds of CPU per lead in the burst; without the idle polling of the same span."""
        first, last = self.burst
        if _part(first, part) is None:
            return None
        used = _part(last, part) - _part(first, part)
        if without_idle:
            used -= self.idle_rate(part) * (last.at - first.at)
        return used / len(self.posts)

    def drain_seconds(self) -> float:
        """From the first POST to the last text accepted."""
        first_post = min(p.started for p in self.posts)
        return max(self.accepted_at[p.phone] for p in self.posts if p.phone in self.accepted_at) - first_post

    @property
    def latencies(self) -> list[float]:
        return sorted(
            self.accepted_at[p.phone] - p.started for p in self.posts if p.phone in self.accepted_at
        )

    @property
    def failed_posts(self) -> list[Post]:
        return [p for p in self.posts if p.status != 201]

    @property
    def missing(self) -> list[str]:
        return [p.phone for p in self.posts if p.phone not in self.accepted_at]

    def leads_per_second(self) -> float:
        return len(self.latencies) / self.drain_seconds() if self.latencies else 0.0


def _part(sample: CpuSample, part: str) -> float | None:
    return getattr(sample, part)


def machine() -> str:
    model = ""
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
            )
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model or 'unknown model'}), Python {sys.version.split()[0]}"


def load_average() -> str:
    return " / ".join(f"{value:.1f}" for value in os.getloadavg()) + " (1 / 5 / 15 min)"


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: a value that was actually measured."""
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def fictional_numbers() -> Iterator[str]:
    """555-0100..0199 is reserved for fiction in every US area code: no real phone is ever named."""
    for area_code in range(201, 990):
        first = phonenumbers.parse(f"+1{area_code}5550100")
        if phonenumbers.is_valid_number(first) and phonenumbers.region_code_for_number(first) == "US":
            for line in range(100, 200):
                yield f"+1{area_code}555{line:04d}"


def run(options: BenchOptions, log, app: App = PRODUCT) -> BenchResult:
    start_log_files(options.work_dir)
    database_url, database = fresh_database(options)
    log(f"{app.name}: database {database}")
    auth_token = secrets.token_hex(16)
    with FakeTwilio(
        account_sid=ACCOUNT_SID, auth_token=auth_token, delay_seconds=options.twilio_delay
    ) as twilio:
        web_port = free_port()
        env = service_env(app, database_url, twilio, auth_token, web_port)
        setup_log = options.work_dir / f"{app.name}-setup.log"
        manage("migrate", "--noinput", env=env, log_path=setup_log)
        token = manage(*app.token_command, env=env, log_path=setup_log)
        api = LeadsApi(f"http://127.0.0.1:{web_port}", token.strip().splitlines()[-1])
        with ExitStack() as services:
            web = start_web(services, app, options, env, web_port, api)
            worker = services.enter_context(
                running(worker_command(), env=env, log_path=options.work_dir / f"{app.name}-worker.log")
            )
            log(f"{app.name}: web server and worker up; logs in {options.work_dir}")
            cpu = CpuMeter(web.pid, worker.pid, database_url)
            posts, idle, burst = measure(api, twilio, options, cpu)
        return BenchResult(
            app=app.name,
            posts=posts,
            accepted_at=twilio.first_acceptance_by_number(),
            database=database,
            idle=idle,
            burst=burst,
        )


def start_log_files(work_dir: Path) -> None:
    work_dir.mkdir(parents=True, exist_ok=True)
    for log_file in work_dir.glob("*.log"):
        log_file.unlink()


def measure(api: "LeadsApi", twilio: FakeTwilio, options: BenchOptions, cpu: "CpuMeter"):
    """Warm up, measure the idle CPU, then the burst: (posts, idle samples, burst samples)."""
    numbers = fictional_numbers()
    warm_up(api, twilio, [next(numbers) for _ in range(WARMUP_LEADS)], options)
    time.sleep(SETTLE_SECONDS)  # the warm-up's last tasks finish
    idle_start = cpu.sample()
    time.sleep(IDLE_SAMPLE_SECONDS)
    idle_end = cpu.sample()
    posts = post_leads(api, [next(numbers) for _ in range(options.leads)], options.concurrency, options.rate)
    twilio.wait_for_numbers({p.phone for p in posts}, timeout=options.timeout)
    time.sleep(SETTLE_SECONDS)
    return posts, (idle_start, idle_end), (idle_end, cpu.sample())


class CpuMeter:
    """CPU seconds used by process trees (from /proc), and by the database server's connections."""

    def __init__(self, web_pid: int, worker_pid: int, database_url: str):
        self.web_pid, self.worker_pid = web_pid, worker_pid
        config = environ.Env.db_url_config(database_url)
        self.postgres = config if config["ENGINE"] == "django.db.backends.postgresql" else None

    def sample(self) -> CpuSample:
        return CpuSample(
            at=time.monotonic(),
            web=sum(process_cpu_seconds(pid) for pid in tree_pids([self.web_pid])),
            worker=sum(process_cpu_seconds(pid) for pid in tree_pids([self.worker_pid])),
            database=sum(process_cpu_seconds(pid) for pid in self._backend_pids()) if self.postgres else None,
        )

    def _backend_pids(self) -> list[int]:
        import psycopg

        with psycopg.connect(**maintenance_arguments(self.postgres, dbname=self.postgres["NAME"])) as db:
            rows = db.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchall()
        return [pid for (pid,) in rows]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """utime + stime of the process and of its children it has waited for; 0 if it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After the ")" of the command name: state is field 3 of stat(5), utime 14 ... cstime 17.
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def tree_pids(roots: list[int]) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    parent = int(stat.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(parent, []).append(int(entry))
    found, pending = [], list(roots)
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending += children.get(pid, [])
    return found


def fresh_database(options: BenchOptions) -> tuple[str, str]:
    if not options.database_url:
        path = settings.BASE_DIR / "var" / "bench.sqlite3"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return f"sqlite:///{path}", f"SQLite {path}"
    config = environ.Env.db_url_config(options.database_url)
    if config["ENGINE"] != "django.db.backends.postgresql":
        raise ValueError("--database-url takes a postgres:// URL (SQLite is the default).")
    if "bench" not in config["NAME"]:
        raise ValueError(
            f"Refusing to drop {config['NAME']!r}: a benchmark database's name contains 'bench'."
        )
    recreate_postgres_database(config)
    return options.database_url, f"PostgreSQL {config['NAME']} on {config['HOST']}:{config['PORT']}"


def maintenance_arguments(config: dict, dbname: str = "postgres") -> dict:
    return dict(
        dbname=dbname,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )


def recreate_postgres_database(config: dict) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(**maintenance_arguments(config), autocommit=True) as connection:
        name = sql.Identifier(config["NAME"])
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def service_env(app: App, database_url: str, twilio: FakeTwilio, auth_token: str, port: int) -> dict:
    """Production-like settings (DEBUG off), the twilio gateway pointed at the local fake."""
    # The ORM broker on the fresh database: a Redis queue would be shared with anything else running.
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE=app.settings_module,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(40),  # shared by web and worker: django-q2 signs tasks with it
        DATABASE_URL=database_url,
        PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        ALLOWED_HOSTS="127.0.0.1",
        SMS_BACKEND="twilio",
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=auth_token,
        TWILIO_MESSAGING_SERVICE_SID=MESSAGING_SERVICE_SID,
        TWILIO_FROM_NUMBER="",
        TWILIO_API_BASE_URL=twilio.base_url,
        AI_BACKEND="scripted",
        Q_SYNC="false",
        # One qcluster runs everything here: this benchmark measures the cost of a lead, not the
        # lanes (bench_lanes measures those).
        Q_PRIORITY_LANE="false",
    )
    return env


def start_web(stack: ExitStack, app: App, options: BenchOptions, env: dict, port: int, api: "LeadsApi"):
    command = [
        *(sys.executable, "-m", "gunicorn", app.wsgi),
        *("--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"),
        *("--workers", str(options.web_workers), "--threads", str(options.web_threads)),
    ]
    web = stack.enter_context(running(command, env=env, log_path=options.work_dir / f"{app.name}-web.log"))
    wait_for_post(api, timeout=STARTUP_TIMEOUT_SECONDS, process=web)
    return web


def wait_for_post(api: "LeadsApi", *, timeout: float, process) -> None:
    """Until the server answers a POST without a body with a 400 (it is up and authenticates)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with code {process.returncode}")
        request = urllib.request.Request(api.url("/api/v1/leads/"), data=b"{}", headers=api.headers)
        try:
            urllib.request.urlopen(request, timeout=5)
        except urllib.error.HTTPError as error:
            if error.code == 400:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{api.url('/api/v1/leads/')} did not answer within {timeout:.0f}s")


def worker_command() -> list[str]:
    return [sys.executable, "manage.py", "qcluster"]


def warm_up(api: "LeadsApi", twilio: FakeTwilio, numbers: list[str], options: BenchOptions) -> None:
    """A few texts end to end first, so start-up (imports, connections) is not measured."""
    posts = post_leads(api, numbers, concurrency=2)
    missing = twilio.wait_for_numbers(set(numbers), timeout=STARTUP_TIMEOUT_SECONDS)
    if any(p.status != 201 for p in posts) or missing:
        details = next((p.error for p in posts if p.error), "")
        raise RuntimeError(f"warm-up leads were not texted ({details}); see logs in {options.work_dir}")


def post_leads(api: "LeadsApi", numbers: list[str], concurrency: int, rate: float = 0.0) -> list[Post]:
    """Post as fast as `concurrency` clients can, or paced to `rate` leads per second."""
    start = time.monotonic()

    def post(index: int) -> Post:
        if rate:
            time.sleep(max(0.0, start + index / rate - time.monotonic()))  # pacing, not waiting for a result
        return api.post_lead(numbers[index], index)

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(post, range(len(numbers))))


class LeadsApi:
    """What a CRM does: POST /api/v1/leads/ with its token."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def url(self, path: str) -> str:
        return self.base_url + path

    def post_lead(self, phone: str, index: int) -> Post:
        body = {
            "first_name": f"Bench{index}",
            "last_name": "Borrower",
            "phone": phone,
            "state": "TX",
            "source": "web",
            "sms_consent": True,
            "consent_text": "I agree to receive texts about my mortgage inquiry (benchmark).",
        }
        request = urllib.request.Request(
            self.url("/api/v1/leads/"), data=json.dumps(body).encode(), headers=self.headers, method="POST"
        )
        post = Post(phone=phone, started=time.monotonic())
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                post.status = response.status
        except urllib.error.HTTPError as error:
            post.status, post.error = error.code, error.read()[:300].decode(errors="replace")
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            post.error = str(error)
        post.answered = time.monotonic()
        return post
