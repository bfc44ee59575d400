"""Speed to lead, end to end: REST API -> web server -> django-q2 worker -> Twilio SDK -> fake Twilio.

Everything runs on 127.0.0.1 against a fresh database; every process started here is stopped.
"""

import json
import math
import os
import resource
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
from conversations.devtools.processes import free_port, manage, running, wait_for_http

STARTUP_TIMEOUT_SECONDS = 60
WARMUP_LEADS = 4
ACCOUNT_SID = "AC" + "b" * 32
MESSAGING_SERVICE_SID = "MG" + "b" * 32


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


@dataclass
class BenchResult:
    posts: list[Post]
    accepted_at: dict[str, float]
    database: str
    service_cpu_seconds: float  # web server and worker, warm-up included; not the database server

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
        if not self.latencies:
            return 0.0
        first_post = min(p.started for p in self.posts)
        last_text = max(self.accepted_at[p.phone] for p in self.posts if p.phone in self.accepted_at)
        return len(self.latencies) / (last_text - first_post)


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


def run(options: BenchOptions, log) -> BenchResult:
    start_log_files(options.work_dir)
    database_url, database = fresh_database(options)
    log(f"Database: {database}")
    auth_token = secrets.token_hex(16)
    with FakeTwilio(
        account_sid=ACCOUNT_SID, auth_token=auth_token, delay_seconds=options.twilio_delay
    ) as twilio:
        web_port = free_port()
        env = service_env(database_url, twilio, auth_token, web_port)
        manage("migrate", "--noinput", env=env, log_path=options.work_dir / "setup.log")
        token = manage("create_api_client", "Benchmark", env=env, log_path=options.work_dir / "setup.log")
        api = LeadsApi(f"http://127.0.0.1:{web_port}", token.strip().splitlines()[-1])
        cpu_before = children_cpu_seconds()
        with ExitStack() as services:
            start_web(services, options, env, web_port, api)
            services.enter_context(
                running(worker_command(), env=env, log_path=options.work_dir / "worker.log")
            )
            log(f"Web server and worker up; logs in {options.work_dir}")
            posts = measure(api, twilio, options)
        return BenchResult(
            posts=posts,
            accepted_at=twilio.first_acceptance_by_number(),
            database=database,
            service_cpu_seconds=children_cpu_seconds() - cpu_before,
        )


def start_log_files(work_dir: Path) -> None:
    work_dir.mkdir(parents=True, exist_ok=True)
    for log_file in work_dir.glob("*.log"):
        log_file.unlink()


def measure(api: "LeadsApi", twilio: FakeTwilio, options: BenchOptions) -> list[Post]:
    numbers = fictional_numbers()
    warm_up(api, twilio, [next(numbers) for _ in range(WARMUP_LEADS)], options)
    posts = post_leads(api, [next(numbers) for _ in range(options.leads)], options.concurrency, options.rate)
    twilio.wait_for_numbers({p.phone for p in posts}, timeout=options.timeout)
    return posts


def children_cpu_seconds() -> float:
    """CPU time of the subprocesses that have ended (they reap their own workers, so it adds up)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


def recreate_postgres_database(config: dict) -> None:
    import psycopg
    from psycopg import sql

    maintenance = dict(
        dbname="postgres",
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        host=config["HOST"] or None,
        port=config["PORT"] or None,
    )
    with psycopg.connect(**maintenance, autocommit=True) as connection:
        name = sql.Identifier(config["NAME"])
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(name))


def service_env(database_url: str, twilio: FakeTwilio, auth_token: str, port: int) -> dict:
    """Production-like settings (DEBUG off), the twilio gateway pointed at the local fake."""
    # The ORM broker on the fresh database: a Redis queue would be shared with anything else running.
    env = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="mortgage_sms.settings",
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
    )
    return env


def start_web(stack: ExitStack, options: BenchOptions, env: dict, port: int, api: "LeadsApi") -> None:
    command = [
        *(sys.executable, "-m", "gunicorn", "mortgage_sms.wsgi:application"),
        *("--bind", f"127.0.0.1:{port}", "--worker-class", "gthread"),
        *("--workers", str(options.web_workers), "--threads", str(options.web_threads)),
    ]
    web = stack.enter_context(running(command, env=env, log_path=options.work_dir / "web.log"))
    wait_for_http(
        api.url("/api/v1/leads/"), headers=api.headers, timeout=STARTUP_TIMEOUT_SECONDS, process=web
    )


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
