import signal
import sys

from django.core.management.base import BaseCommand, CommandError

from conversations.devtools import bench, lanes_bench


class Command(BaseCommand):
    help = (
        "Benchmark the priority lane: leads posted through the REST API to a local gunicorn and "
        "qcluster(s) while the local fake Twilio hangs 10 s on a quarter of the numbers and "
        "answers 503 three times to another quarter (their texts are retried); reports how long "
        "the other leads waited for their first text, with the two lanes and with --single-lane "
        "(one qcluster, a 10 s timeout on every attempt: the product before the lanes). Starts "
        "and stops everything itself; sends nothing anywhere."
    )

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=80)
        parser.add_argument("--rate", type=float, default=4.0, help="leads posted per second")
        parser.add_argument("--single-lane", action="store_true", help="only the run without the lanes")
        parser.add_argument("--lanes-only", action="store_true", help="only the run with the lanes")

    def handle(self, *args, **options):
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        self.stdout.write(f"Machine: {bench.machine()}; load average {bench.load_average()} at start")
        self.stdout.write(
            f"{options['leads']} leads at {options['rate']:g}/s; Twilio hangs "
            f"{lanes_bench.SLOW_SECONDS:g} s on 1 in 4 numbers and fails 1 in 4 three times (503)"
        )
        runs = [True, False]
        if options["single_lane"]:
            runs = [True]
        elif options["lanes_only"]:
            runs = [False]
        for single_lane in runs:
            run_options = lanes_bench.LanesOptions(
                leads=options["leads"],
                rate=options["rate"],
                single_lane=single_lane,
                work_dir=lanes_bench.work_dir(),
            )
            try:
                latencies = lanes_bench.run(run_options, log=self.stderr.write)
            except (RuntimeError, ValueError, OSError) as error:
                raise CommandError(str(error)) from error
            name = "single lane (before)" if single_lane else "two lanes (after)"
            self.stdout.write(
                f"{name}: POST -> first text, leads Twilio treats normally: {lanes_bench.summary(latencies)}"
            )
