import argparse
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from conversations.devtools import bench


def bounded(low: float, high: float, kind=int):
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is not between {low} and {high}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in its error message
    return parse


class Command(BaseCommand):
    help = (
        "Benchmark speed to lead: post leads through the REST API to a local gunicorn and "
        "qcluster (SMS_BACKEND=twilio against a local fake Twilio) on a fresh database, and "
        "report the seconds from POST to Twilio accepting each lead's first text. "
        "Starts and stops everything itself; sends nothing anywhere. Q_WORKERS sets the worker count."
    )

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=bounded(1, 5000), default=200)
        parser.add_argument("--concurrency", type=bounded(1, 64), default=8, help="parallel API clients")
        parser.add_argument(
            "--rate",
            type=bounded(0, 1000, float),
            default=0.0,
            help="post at this many leads per second (default 0: as fast as the clients can)",
        )
        parser.add_argument(
            "--database-url",
            default="",
            help="a postgres:// URL whose database name contains 'bench'; it is DROPPED and "
            "recreated. Default: a fresh SQLite file var/bench.sqlite3.",
        )
        parser.add_argument("--web-workers", type=bounded(1, 16), default=2, help="gunicorn processes")
        parser.add_argument("--web-threads", type=bounded(1, 32), default=4, help="threads per process")
        parser.add_argument(
            "--twilio-delay",
            type=bounded(0, 5, float),
            default=0.0,
            help="seconds the fake Twilio takes to answer (the real API takes a few hundred ms)",
        )
        parser.add_argument(
            "--timeout", type=bounded(1, 900, float), default=120.0, help="seconds to wait for the texts"
        )

    def handle(self, *args, **options):
        bench_options = bench.BenchOptions(
            leads=options["leads"],
            concurrency=options["concurrency"],
            rate=options["rate"],
            database_url=options["database_url"],
            web_workers=options["web_workers"],
            web_threads=options["web_threads"],
            twilio_delay=options["twilio_delay"],
            timeout=options["timeout"],
            work_dir=settings.BASE_DIR / "var" / "bench",
        )
        # A SIGTERM (make, CI, timeout) unwinds like Ctrl-C, so every process started is stopped.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        try:
            result = bench.run(bench_options, log=self.stderr.write)
        except (RuntimeError, ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        self._report(bench_options, result)
        if result.failed_posts or result.missing:
            raise CommandError(
                f"{len(result.failed_posts)} posts failed, {len(result.missing)} leads not texted "
                f"within {bench_options.timeout:.0f}s; see {bench_options.work_dir}"
            )

    def _report(self, options: bench.BenchOptions, result: bench.BenchResult) -> None:
        latencies = result.latencies
        api_times = sorted(p.answered - p.started for p in result.posts)
        pacing = f"paced at {options.rate:g}/s" if options.rate else "unpaced"
        q_cluster = settings.Q_CLUSTER
        lines = [
            f"{options.leads} leads, {options.concurrency} concurrent API clients, {pacing}; {result.database}",
            f"web: gunicorn {options.web_workers} processes x {options.web_threads} threads; "
            f"worker: qcluster, {q_cluster['workers']} workers, ORM broker, poll {q_cluster['poll']}s, "
            f"save_limit {q_cluster['save_limit']}; fake Twilio answers in {options.twilio_delay:g}s",
        ]
        if latencies:
            lines.append(
                f"POST -> Twilio accepted (s): p50 {bench.percentile(latencies, 0.5):.3f}  "
                f"p95 {bench.percentile(latencies, 0.95):.3f}  max {latencies[-1]:.3f}"
            )
        lines += [
            f"API response (s): p50 {bench.percentile(api_times, 0.5):.3f}  "
            f"p95 {bench.percentile(api_times, 0.95):.3f}",
            f"Throughput: {result.leads_per_second():.1f} leads/s ({len(latencies)} of {options.leads} texted)",
            f"CPU of web server and worker: {result.service_cpu_seconds:.1f} s "
            f"({1000 * result.service_cpu_seconds / (options.leads + bench.WARMUP_LEADS):.0f} ms per lead)",
        ]
        self.stdout.write("\n".join(lines))
