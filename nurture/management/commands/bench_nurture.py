"""Scale benchmark of the nurture dispatcher (not a test: it prints figures, asserts nothing).

Run it on a database of its own, e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/msms_bench python manage.py migrate
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/msms_bench python manage.py bench_nurture \
      --enrollments 100000 --due 10000"""

import logging
import os
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from conversations.models import Kind, Message, MessageStatus
from conversations.services import message_deliver
from conversations.windows import holiday_calendar
from leads.models import Lead
from nurture.dispatch import due_enrollments, nurture_dispatch
from nurture.models import Cadence, CadenceStep, Enrollment, EnrollmentState

BENCH_TAG = "bench_nurture"
CHUNK = 5_000


class Command(BaseCommand):
    help = "Time the selection and dispatch of due nurture steps at scale (console gateway)."

    def add_arguments(self, parser):
        parser.add_argument("--enrollments", type=int, default=100_000)
        parser.add_argument("--due", type=int, default=10_000)
        parser.add_argument("--batch-size", type=int, default=100)
        parser.add_argument("--workers", type=int, default=1, help="Dispatchers running at once (threads)")
        parser.add_argument("--keep", action="store_true", help="Leave the bench data in the database")
        parser.add_argument("--force", action="store_true", help="Run even if the database has real leads")

    def handle(self, *args, **options):
        if options["due"] > options["enrollments"]:
            raise CommandError("--due cannot exceed --enrollments.")
        if Lead.objects.exclude(source_detail=BENCH_TAG).exists() and not options["force"]:
            raise CommandError("This database has real leads: run the bench on a database of its own.")
        logging.getLogger("conversations.sms").setLevel(logging.WARNING)  # 10,000 console texts
        logging.getLogger("django-q").setLevel(logging.WARNING)
        self._cleanup()
        now = bench_moment()
        self._describe(options, now)
        cadence = self._seed(options["enrollments"], options["due"], now)
        try:
            self._explain(now, options["batch_size"])
            self._time_selection(now, options["batch_size"], options["due"])
            self._time_dispatch(now, options["batch_size"], options["workers"])
            self._time_delivery()
            self.stdout.write(f"Load average at the end: {os.getloadavg()[0]:.1f}")
        finally:
            if not options["keep"]:
                self._cleanup()
                Cadence.objects.filter(pk=cadence.pk).delete()

    def _describe(self, options, now):
        db = connection.settings_dict
        self.stdout.write(f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start")
        self.stdout.write(
            f"Database: {connection.vendor} {db['NAME']} | enrollments {options['enrollments']:,}, "
            f"due {options['due']:,} | batch {options['batch_size']} | dispatchers {options['workers']} | "
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
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE nurture_enrollment; ANALYZE leads_lead;")
        self.stdout.write(f"Seeded {total:,} leads and enrollments in {time.monotonic() - started:.1f} s")
        return cadence

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

    def _time_dispatch(self, now: datetime, batch_size: int, workers: int):
        outcomes, lock = Counter(), threading.Lock()

        def dispatcher():
            try:
                result = nurture_dispatch(now=now, batch_size=batch_size, budget_seconds=3600)
                with lock:
                    outcomes.update(result)
            finally:
                if workers > 1:
                    connection.close()

        started = time.monotonic()
        if workers == 1:
            dispatcher()
        else:
            threads = [threading.Thread(target=dispatcher) for _ in range(workers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        elapsed = time.monotonic() - started
        sent = outcomes.get("sent", 0)
        self.stdout.write(
            f"Dispatch (select, re-check, window, send_sms queues the text, advance): {dict(outcomes)} in "
            f"{elapsed:.1f} s = {sent / elapsed:,.0f} steps/s"
        )
        left = Enrollment.objects.filter(state=EnrollmentState.ACTIVE, next_run_at__lte=now).count()
        duplicates = (
            Message.objects.filter(kind=Kind.NURTURE, dedupe_key__startswith="nurture:").count() - sent
        )
        self.stdout.write(f"Still due afterwards: {left} | texts beyond one per step: {duplicates}")

    def _time_delivery(self):
        ids = list(
            Message.objects.filter(kind=Kind.NURTURE, status=MessageStatus.QUEUED).values_list(
                "pk", flat=True
            )
        )
        started = time.monotonic()
        statuses = Counter(message_deliver(message_id=pk) for pk in ids)
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"Delivery through the console gateway (what the workers do next): {dict(statuses)} in "
            f"{elapsed:.1f} s = {len(ids) / max(elapsed, 1e-9):,.0f} texts/s"
        )

    def _cleanup(self):
        started = time.monotonic()
        stale = Lead.objects.filter(source_detail=BENCH_TAG)
        if stale.exists():
            Enrollment.objects.filter(lead__in=stale).delete()
            deleted, _ = stale.delete()
            Cadence.objects.filter(slug__startswith="bench_", enrollments__isnull=True).delete()
            self.stdout.write(f"Removed bench data ({deleted:,} rows) in {time.monotonic() - started:.1f} s")


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
