"""Scale benchmark of the nurture dispatcher (not a test: it prints figures, asserts nothing).

Run it on a database of its own, e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/msms_bench python manage.py migrate
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/msms_bench python manage.py bench_nurture \\
      --enrollments 100000 --due 10000 --dispatchers 1,2

Each dispatcher is a process of its own (`manage.py bench_nurture --child dispatch`), started
and set up before the clock starts; the same due steps are dispatched again for each count.
The texts are then handed to a local fake Twilio that answers at once, by as many processes."""

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django_q.models import OrmQ

from conversations.devtools.bench import load_average, machine
from conversations.devtools.fake_twilio import FakeTwilio
from conversations.models import Kind, Message, MessageStatus
from conversations.services import message_deliver
from conversations.windows import holiday_calendar
from leads.models import Lead
from nurture.dispatch import due_enrollments, nurture_dispatch
from nurture.models import Cadence, CadenceStep, Enrollment, EnrollmentState

BENCH_TAG = "bench_nurture"
CHUNK = 5_000
ACCOUNT_SID = "AC" + "c" * 32


def counts(text: str) -> list[int]:
    values = [int(part) for part in text.split(",") if part.strip()]
    if not values or any(not 1 <= value <= 16 for value in values):
        raise argparse.ArgumentTypeError("give counts between 1 and 16, comma-separated (e.g. 1,2)")
    return values


class Command(BaseCommand):
    help = (
        "Time the selection and dispatch of due nurture steps at scale, with one or more dispatcher "
        "processes, then their delivery to a local fake Twilio that answers at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--enrollments", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=10_000)
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument(
            "--dispatchers", type=counts, default=[1, 2], help="dispatcher processes to time, e.g. 1,2"
        )
        parser.add_argument("--delivery-processes", type=int, default=2)
        parser.add_argument("--keep", action="store_true", help="Leave the bench data in the database")
        parser.add_argument("--force", action="store_true", help="Run even if the database has real leads")
        # Internal: what one dispatcher or delivery process runs.
        parser.add_argument("--child", choices=["dispatch", "deliver"], help=argparse.SUPPRESS)
        parser.add_argument("--now", help=argparse.SUPPRESS)
        parser.add_argument("--part", default="0/1", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["child"]:
            return self._child(options)
        if options["due"] > options["enrollments"]:
            raise CommandError("--due cannot exceed --enrollments.")
        if Lead.objects.exclude(source_detail=BENCH_TAG).exists() and not options["force"]:
            raise CommandError("This database has real leads: run the bench on a database of its own.")
        self._cleanup()
        now = bench_moment()
        self._describe(options, now)
        cadence = self._seed(options["enrollments"], options["due"], now)
        queued_before = OrmQ.objects.order_by("-id").values_list("id", flat=True).first() or 0
        try:
            self._explain(now, options["batch_size"])
            self._time_selection(now, options["batch_size"], options["due"])
            for dispatchers in options["dispatchers"]:
                self._reset_due(cadence, options["due"], now)
                self._time_dispatch(now, options["batch_size"], dispatchers)
            self._time_delivery(now, options["delivery_processes"])
            self.stdout.write(f"Load average at the end: {load_average()}")
        finally:
            OrmQ.objects.filter(id__gt=queued_before).delete()  # the delivery tasks the runs queued
            if not options["keep"]:
                self._cleanup()
                Cadence.objects.filter(pk=cadence.pk).delete()

    # --- The parent ---------------------------------------------------------------------------------

    def _describe(self, options, now):
        db = connection.settings_dict
        self.stdout.write(f"Machine: {machine()}; load average {load_average()} at start")
        self.stdout.write(
            f"Database: {connection.vendor} {db['NAME']} | enrollments {options['enrollments']:,}, "
            f"due {options['due']:,} | batch {options['batch_size']} | "
            f"dispatch time {now.astimezone(ZoneInfo('America/Chicago')):%a %Y-%m-%d %H:%M %Z}"
        )

    def _seed(self, total: int, due: int, now: datetime) -> Cadence:
        started = time.monotonic()
        cadence = Cadence.objects.create(name="Bench", slug=f"bench_{int(time.time())}")
        first = CadenceStep.objects.create(
            cadence=cadence,
            position=1,
            delay_amount=1,
            delay_unit="days",
            body="Hi {first_name}, {company} here.",
        )
        CadenceStep.objects.create(
            cadence=cadence, position=2, delay_amount=1, delay_unit="weeks", body="Still there, {first_name}?"
        )
        for offset in range(0, total, CHUNK):
            size = min(CHUNK, total - offset)
            leads = Lead.objects.bulk_create(bench_lead(offset + i) for i in range(size))
            Enrollment.objects.bulk_create(
                bench_enrollment(lead, offset + i, due, cadence, first, now) for i, lead in enumerate(leads)
            )
        analyze()
        self.stdout.write(f"Seeded {total:,} leads and enrollments in {time.monotonic() - started:.1f} s")
        return cadence

    def _reset_due(self, cadence: Cadence, due: int, now: datetime) -> None:
        """Put the due steps back as they were seeded, for the next dispatcher count."""
        first = cadence.steps.get(position=1)
        Message.objects.filter(kind=Kind.NURTURE, lead__source_detail=BENCH_TAG).delete()
        due_ids = Enrollment.objects.filter(cadence=cadence, step__position=2).values_list("pk", flat=True)
        Enrollment.objects.filter(pk__in=list(due_ids)).update(
            step=first, next_run_at=now - timedelta(minutes=1), touches_sent=0, last_sent_at=None
        )
        analyze()

    def _explain(self, now: datetime, batch_size: int):
        with transaction.atomic():
            options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
            plan = due_enrollments(now, batch_size).explain(**options)
            transaction.set_rollback(True)
        self.stdout.write("\nEXPLAIN of the due-selection query (one batch, locked):\n" + plan + "\n")

    def _time_selection(self, now: datetime, batch_size: int, due: int):
        timings = []
        for _ in range(20):
            with transaction.atomic():
                started = time.perf_counter()
                ids = [e.pk for e in due_enrollments(now, batch_size)]
                timings.append(time.perf_counter() - started)
                transaction.set_rollback(True)
        started = time.perf_counter()
        all_due = Enrollment.objects.filter(state=EnrollmentState.ACTIVE, next_run_at__lte=now).values_list(
            "pk"
        )
        count = len(list(all_due))
        everything = time.perf_counter() - started
        self.stdout.write(
            f"Select one batch of {len(ids)} (locked, with lead/cadence/step): median "
            f"{sorted(timings)[len(timings) // 2] * 1000:.1f} ms | select the ids of all {count:,} due: "
            f"{everything * 1000:.0f} ms"
        )
        if count != due:
            self.stdout.write(self.style.WARNING(f"Expected {due:,} due, found {count:,}."))

    def _time_dispatch(self, now: datetime, batch_size: int, dispatchers: int):
        arguments = ["--child", "dispatch", "--now", now.isoformat(), "--batch-size", str(batch_size)]
        elapsed, results = run_children([arguments] * dispatchers, env=dict(os.environ))
        outcomes = Counter()
        for result in results:
            outcomes.update(result["outcomes"])
        sent, cpu = outcomes.get("sent", 0), sum(r["cpu_seconds"] for r in results)
        per_step = f"{1000 * cpu / sent:.2f} ms CPU per step (dispatchers only)" if sent else ""
        self.stdout.write(
            f"Dispatch with {dispatchers} dispatcher process(es) (select, re-check, window and cap, "
            f"send_sms queues the text, advance): {dict(outcomes)} in {elapsed:.2f} s = "
            f"{sent / elapsed:,.0f} steps/s; {per_step}"
        )
        left = Enrollment.objects.filter(state=EnrollmentState.ACTIVE, next_run_at__lte=now).count()
        duplicates = (
            Message.objects.filter(kind=Kind.NURTURE, dedupe_key__startswith="nurture:").count() - sent
        )
        self.stdout.write(f"  still due afterwards: {left} | texts beyond one per step: {duplicates}")

    def _time_delivery(self, now: datetime, processes: int):
        queued = Message.objects.filter(kind=Kind.NURTURE, status=MessageStatus.QUEUED).count()
        auth_token = secrets.token_hex(16)
        with FakeTwilio(account_sid=ACCOUNT_SID, auth_token=auth_token) as twilio:
            env = {
                **os.environ,
                "SMS_BACKEND": "twilio",
                "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                "TWILIO_AUTH_TOKEN": auth_token,
                "TWILIO_MESSAGING_SERVICE_SID": "MG" + "c" * 32,
                "TWILIO_API_BASE_URL": twilio.base_url,
            }
            parts = [
                ["--child", "deliver", "--now", now.isoformat(), "--part", f"{i}/{processes}"]
                for i in range(processes)
            ]
            elapsed, results = run_children(parts, env=env)
            accepted = len(twilio.accepted)
        statuses = Counter()
        for result in results:
            statuses.update(result["outcomes"])
        cpu = sum(r["cpu_seconds"] for r in results)
        self.stdout.write(
            f"Delivery of the {queued:,} queued texts by {processes} process(es) to a fake Twilio "
            f"answering at once: {dict(statuses)}, {accepted:,} accepted, in {elapsed:.1f} s = "
            f"{accepted / max(elapsed, 1e-9):,.0f} texts/s; "
            f"{1000 * cpu / max(accepted, 1):.1f} ms CPU per text (senders only)"
        )

    def _cleanup(self):
        started = time.monotonic()
        stale = Lead.objects.filter(source_detail=BENCH_TAG)
        if stale.exists():
            Enrollment.objects.filter(lead__in=stale).delete()
            deleted, _ = stale.delete()
            Cadence.objects.filter(slug__startswith="bench_", enrollments__isnull=True).delete()
            self.stdout.write(f"Removed bench data ({deleted:,} rows) in {time.monotonic() - started:.1f} s")

    # --- A child process --------------------------------------------------------------------------

    def _child(self, options):
        """Set up, say so, wait for the go, work, then print what happened and the CPU it took."""
        import logging

        logging.getLogger("conversations.sms").setLevel(logging.WARNING)  # thousands of texts
        logging.getLogger("django-q").setLevel(logging.WARNING)
        Lead.objects.exists()  # connect before the clock starts
        print("ready", flush=True)
        sys.stdin.readline()
        cpu_before = cpu_seconds()
        if options["child"] == "dispatch":
            now = datetime.fromisoformat(options["now"])
            outcomes = nurture_dispatch(now=now, batch_size=options["batch_size"], budget_seconds=3600)
        else:
            outcomes = deliver_part(options["part"], at=datetime.fromisoformat(options["now"]))
        print(json.dumps({"outcomes": outcomes, "cpu_seconds": cpu_seconds() - cpu_before}), flush=True)


def deliver_part(part: str, *, at: datetime) -> Counter:
    """Hand this process's share of the queued texts to the gateway, at the dispatch's moment
    (inside the borrowers' window whatever the hour the bench runs at)."""
    import time_machine

    index, total = (int(n) for n in part.split("/"))
    ids = Message.objects.filter(kind=Kind.NURTURE, lead__source_detail=BENCH_TAG).order_by("pk")
    mine = list(ids.values_list("pk", flat=True))[index::total]
    with time_machine.travel(at, tick=True):
        return Counter(str(message_deliver(message_id=pk)) for pk in mine)


def run_children(argument_lists: list[list[str]], *, env: dict) -> tuple[float, list[dict]]:
    """Start one process per argument list, wait until all are set up, start them together and
    time them until the last one is done. Returns (seconds, each one's report)."""
    children = [
        subprocess.Popen(
            [sys.executable, "manage.py", "bench_nurture", *arguments],
            cwd=settings.BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for arguments in argument_lists
    ]
    try:
        for child in children:
            if child.stdout.readline().strip() != "ready":
                raise CommandError("A benchmark process failed to start; see the error above.")
        started = time.monotonic()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        reports = [child.stdout.readline() for child in children]
        elapsed = time.monotonic() - started
    finally:
        for child in children:
            child.stdin.close()
            child.wait(timeout=60)
    if any(child.returncode for child in children) or not all(reports):
        raise CommandError("A benchmark process failed; see the error above.")
    return elapsed, [json.loads(report) for report in reports]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def analyze() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE nurture_enrollment; ANALYZE leads_lead;")


def bench_moment() -> datetime:
    """10:00 in Texas on the next working day that is no holiday: inside every window."""
    day = timezone.localdate(timezone=ZoneInfo("America/Chicago"))
    while day.weekday() >= 5 or day in holiday_calendar(None):
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("America/Chicago"))


def bench_lead(n: int) -> Lead:
    return Lead(
        first_name=f"Bench{n}",
        phone=f"+1{5120000000 + n}",
        state="TX",
        status="nurturing",
        sms_consent=True,
        consent_text="bench",
        source_detail=BENCH_TAG,
        nurture_cadence="bench",
    )


def bench_enrollment(lead: Lead, n: int, due: int, cadence, step, now: datetime) -> Enrollment:
    """The first `due` are due (spread over the last hour); the rest are spread over the coming
    month, and one in three of those has already ended."""
    if n < due:
        run_at, state = now - timedelta(seconds=n % 3600), EnrollmentState.ACTIVE
    elif n % 3 == 0:
        run_at, state = None, EnrollmentState.FINISHED
    else:
        run_at, state = now + timedelta(minutes=1 + n % (30 * 24 * 60)), EnrollmentState.ACTIVE
    enrolled = now - timedelta(days=1)
    return Enrollment(
        lead=lead,
        cadence=cadence,
        step=step,
        state=state,
        next_run_at=run_at,
        enrolled_at=enrolled,
        step_scheduled_at=enrolled,
    )
