"""A slow carrier and the priority lane: how long an unrelated new lead waits for its first text
while Twilio hangs on some numbers and fails others (whose texts are then retried).

Everything runs on 127.0.0.1 against a fresh SQLite database; every process started is stopped.
"single lane" is how the product ran before the lanes: one qcluster for everything and a 10 s
gateway timeout on every attempt."""

import secrets
import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from conversations.devtools import bench
from conversations.devtools.fake_twilio import FakeTwilio
from conversations.devtools.processes import free_port, manage, running

SLOW_SECONDS = 10.0  # Twilio hanging, the scenario
FAILURES_PER_FAILING_NUMBER = 3  # 503s before the text goes through


@dataclass(frozen=True)
class LanesOptions:
    leads: int
    rate: float
    single_lane: bool
    work_dir: Path
    timeout: float = 300.0


def run(options: LanesOptions, log) -> list[float]:
    """Seconds from POST to first text accepted, for each lead Twilio treats normally."""
    bench.start_log_files(options.work_dir)
    database_url, _ = bench.fresh_database(bench.BenchOptions(**_bench_defaults(options)))
    auth_token = secrets.token_hex(16)
    with FakeTwilio(account_sid=bench.ACCOUNT_SID, auth_token=auth_token) as twilio:
        port = free_port()
        env = _env(options, bench.service_env(bench.PRODUCT, database_url, twilio, auth_token, port))
        manage("migrate", "--noinput", env=env, log_path=options.work_dir / "setup.log")
        token = manage("create_api_client", "Benchmark", env=env, log_path=options.work_dir / "setup.log")
        api = bench.LeadsApi(f"http://127.0.0.1:{port}", token.strip().splitlines()[-1])
        with ExitStack() as services:
            bench.start_web(
                services, bench.PRODUCT, bench.BenchOptions(**_bench_defaults(options)), env, port, api
            )
            for lane in [""] if options.single_lane else ["", "priority"]:
                lane_env = {**env, "Q_CLUSTER_NAME": lane} if lane else env
                log_path = options.work_dir / f"worker-{lane or 'default'}.log"
                services.enter_context(
                    running([sys.executable, "manage.py", "qcluster"], env=lane_env, log_path=log_path)
                )
            log(
                f"web server and {'one lane' if options.single_lane else 'two lanes'} up; logs in {options.work_dir}"
            )
            return _measure(api, twilio, options)


def _env(options: LanesOptions, env: dict) -> dict:
    env = {
        **env,
        "SMS_RETRY_BASE_SECONDS": "2",
        "Q_PRIORITY_LANE": "false" if options.single_lane else "true",
    }
    if options.single_lane:
        env["SMS_FIRST_ATTEMPT_TIMEOUT_SECONDS"] = "10"  # before: one timeout for every attempt
    return env


def _bench_defaults(options: LanesOptions) -> dict:
    return dict(
        leads=options.leads, concurrency=8, rate=options.rate, database_url="", web_workers=2, web_threads=4,
        twilio_delay=0.0, timeout=options.timeout, work_dir=options.work_dir,
    )  # fmt: skip


def _measure(api: bench.LeadsApi, twilio: FakeTwilio, options: LanesOptions) -> list[float]:
    numbers = bench.fictional_numbers()
    bench.warm_up(
        api,
        twilio,
        [next(numbers) for _ in range(bench.WARMUP_LEADS)],
        bench.BenchOptions(**_bench_defaults(options)),
    )
    phones = [next(numbers) for _ in range(options.leads)]
    normal = [phone for index, phone in enumerate(phones) if index % 4 in (0, 1)]
    for index, phone in enumerate(phones):
        if index % 4 == 2:
            twilio.slow_numbers[phone] = SLOW_SECONDS
        elif index % 4 == 3:
            for _ in range(FAILURES_PER_FAILING_NUMBER):
                twilio.fail_next(phone, status=503, code=20503)
    posts = bench.post_leads(api, phones, concurrency=8, rate=options.rate)
    twilio.wait_for_numbers(set(phones), timeout=options.timeout)
    accepted = twilio.first_acceptance_by_number()
    return sorted(accepted[p.phone] - p.started for p in posts if p.phone in normal and p.phone in accepted)


def summary(latencies: list[float]) -> str:
    if not latencies:
        return "no lead texted"
    p50, p95 = bench.percentile(latencies, 0.5), bench.percentile(latencies, 0.95)
    return f"p50 {p50:.2f} s, p95 {p95:.2f} s, max {latencies[-1]:.2f} s ({len(latencies)} leads)"


def work_dir() -> Path:
    return settings.BASE_DIR / "var" / "bench-lanes"
