import argparse
import os
import signal
import statistics
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


def app_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(names) - set(bench.APPS))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"apps are {', '.join(bench.APPS)}, comma-separated")
    return names


class Command(BaseCommand):
    help = (
        "Benchmark speed to lead: post leads through the REST API to a local gunicorn and "
        "qcluster (SMS_BACKEND=twilio against a local fake Twilio) on a fresh database, and "
        "report the seconds from POST to Twilio accepting each lead's first text and the CPU "
        "each lead cost. --apps bare,product runs the bare Django + DRF + django-q2 app "
        "beside the product, alternating, --rounds times. Starts and stops everything itself; "
        "sends nothing anywhere. Q_WORKERS sets the worker count."
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
        parser.add_argument(
            "--apps",
            type=app_names,
            default=["product"],
            help="product, bare (the bare Django + DRF + django-q2 app) or bare,product",
        )
        parser.add_argument(
            "--rounds", type=bounded(1, 20), default=1, help="runs of each app, alternating; medians reported"
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
        self._describe(bench_options)
        results = {name: [] for name in options["apps"]}
        for round_number in range(1, options["rounds"] + 1):
            for name in options["apps"]:
                result = self._run(bench_options, bench.APPS[name])
                results[name].append(result)
                self.stdout.write(f"[{name}, round {round_number}] " + self._line(bench_options, result))
        self._summary(results)

    def _run(self, options: bench.BenchOptions, app: bench.App) -> bench.BenchResult:
        try:
            result = bench.run(options, log=self.stderr.write, app=app)
        except (RuntimeError, ValueError, OSError) as error:
            raise CommandError(str(error)) from error
        if result.failed_posts or result.missing:
            raise CommandError(
                f"{app.name}: {len(result.failed_posts)} posts failed, {len(result.missing)} leads not "
                f"texted within {options.timeout:.0f}s; see {options.work_dir}"
            )
        return result

    def _describe(self, options: bench.BenchOptions) -> None:
        pacing = f"paced at {options.rate:g}/s" if options.rate else "all at once"
        q_cluster = settings.Q_CLUSTER
        self.stdout.write(
            "\n".join(
                [
                    f"Machine: {bench.machine()}; load average {bench.load_average()} at start",
                    f"{options.leads} leads from {options.concurrency} API clients, {pacing}; "
                    f"web: gunicorn {options.web_workers} processes x {options.web_threads} threads; "
                    f"worker: qcluster, {q_cluster['workers']} workers, ORM broker, poll {q_cluster['poll']}s; "
                    f"fake Twilio answers in {options.twilio_delay:g}s",
                ]
            )
        )

    def _line(self, options: bench.BenchOptions, result: bench.BenchResult) -> str:
        latencies = result.latencies
        api_times = sorted(p.answered - p.started for p in result.posts)
        services, database = result.cpu_per_lead("services"), result.cpu_per_lead("database")
        parts = [
            f"{result.database} | POST -> Twilio accepted (s): p50 {bench.percentile(latencies, 0.5):.3f} "
            f"p95 {bench.percentile(latencies, 0.95):.3f} max {latencies[-1]:.3f}",
            f"API response p50 {bench.percentile(api_times, 0.5):.3f} s",
            f"all texted in {result.drain_seconds():.2f} s ({result.leads_per_second():.1f} leads/s)",
            f"CPU per lead: web + worker {1000 * result.cpu_per_lead('services', without_idle=False):.1f} ms, "
            f"{1000 * services:.1f} ms without idle polling ({1000 * result.idle_rate('services'):.0f} ms/s): "
            f"web {1000 * result.cpu_per_lead('web'):.1f}, worker {1000 * result.cpu_per_lead('worker'):.1f}"
            + (f", database server {1000 * database:.1f} ms" if database is not None else ""),
            f"load average {bench.load_average()}",
        ]
        return " | ".join(parts)

    def _summary(self, results: dict[str, list[bench.BenchResult]]) -> None:
        rows = {name: self._medians(runs) for name, runs in results.items()}
        self.stdout.write("\nMedians:")
        for name, row in rows.items():
            database = f", database server {row['database']:.1f} ms" if row["database"] is not None else ""
            self.stdout.write(
                f"  {name:8} all texted in {row['drain']:.2f} s ({row['rate']:.1f} leads/s), p50 "
                f"{row['p50']:.3f} s; CPU per lead: web + worker {row['raw']:.1f} ms "
                f"({row['services']:.1f} ms without idle polling: web {row['web']:.1f}, worker "
                f"{row['worker']:.1f}){database}"
            )
        if {"bare", "product"} <= rows.keys():
            bare, product = rows["bare"], rows["product"]
            self.stdout.write(
                f"  product / bare: CPU per lead (web + worker) x{product['raw'] / bare['raw']:.2f} "
                f"(x{product['services'] / bare['services']:.2f} without idle polling), "
                f"time to text all x{product['drain'] / bare['drain']:.2f}"
            )
        self.stdout.write(f"Load average at the end: {bench.load_average()}; {os.cpu_count()} CPUs")

    @staticmethod
    def _medians(runs: list[bench.BenchResult]) -> dict:
        databases = [r.cpu_per_lead("database") for r in runs]
        return {
            "drain": statistics.median(r.drain_seconds() for r in runs),
            "rate": statistics.median(r.leads_per_second() for r in runs),
            "p50": statistics.median(bench.percentile(r.latencies, 0.5) for r in runs),
            "raw": 1000 * statistics.median(r.cpu_per_lead("services", without_idle=False) for r in runs),
            "services": 1000 * statistics.median(r.cpu_per_lead("services") for r in runs),
            "web": 1000 * statistics.median(r.cpu_per_lead("web") for r in runs),
            "worker": 1000 * statistics.median(r.cpu_per_lead("worker") for r in runs),
            "database": None if None in databases else 1000 * statistics.median(databases),
        }
