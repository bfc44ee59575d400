"""Speed and memory of the admin's CSV re-engagement import (not a test: it prints figures).

It posts a generated CSV to the admin's import page as ops would, through Django's whole request
handling, in this process (the upload is checked, stored and its job queued), then runs the job
as a worker does, all its slices in a row, and reports the request's time, the job's rows per
second, and the peak of Python's memory (tracemalloc) in each. The request is built before the
measuring starts, so the figures are the server's alone. Run it with production settings on a
database of its own, e.g.
  export SECRET_KEY=bench DATABASE_URL=sqlite:////tmp/bench.sqlite3
  python manage.py migrate && python manage.py bench_reengagement_import"""

import logging
import os
import resource
import tempfile
import time
import tracemalloc
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.core.handlers.base import BaseHandler
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, RequestFactory

from leads.models import Lead
from nurture import imports
from nurture.models import Cadence, ReengagementImport

BENCH_USER = "bench_reengagement_import"
IMPORT_URL = "/admin/nurture/leadtoreengage/import/"
# A realistic consent column: the disclosure each borrower agreed to, repeated on every row.
CONSENT = (
    "I agree to receive texts from Acme Home Loans at the number above about my inquiry, including "
    "automated texts. Consent is not a condition of purchase. Msg & data rates may apply. Msg "
    "frequency varies. Reply STOP to opt out, HELP for help. Terms: https://example.com/sms-terms. "
    "By submitting, I authorize Acme Home Loans and its loan officers to contact me by text at the "
    "number provided, including by automated means."
)


class Command(BaseCommand):
    help = "Post a generated CSV (about 5 MB) to the re-engagement import, run its job, print rows/s."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=9_900, help="Rows in the file (at most 10,000)")
        parser.add_argument("--force", action="store_true", help="Run even if the database has leads")

    def handle(self, *args, rows, force, **options):
        if Lead.objects.exists() and not force:
            raise CommandError("This database has leads: run the bench on a database of its own.")
        logging.getLogger("conversations.sms").setLevel(logging.WARNING)
        cadence = Cadence.objects.filter(active=True).order_by("pk").first()
        if cadence is None:
            raise CommandError("No active cadence: run `manage.py migrate` first (it ships two).")
        with tempfile.NamedTemporaryFile(suffix=".csv") as csv_file:
            size = write_csv(csv_file, rows)
            self.stdout.write(
                f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} | database: "
                f"{connection.vendor} | file: {size / 1e6:.2f} MB, {rows:,} rows"
            )
            request = self._import_request(csv_file, cadence)
        self._measure(request, rows)

    def _import_request(self, csv_file, cadence):
        """The admin's upload as the browser sends it, logged in as a bench superuser."""
        User = get_user_model()
        user = User.objects.filter(username=BENCH_USER).first() or User.objects.create_superuser(
            BENCH_USER, "", None
        )
        client = Client()
        client.force_login(user)
        csv_file.seek(0)
        data = {"file": csv_file, "cadence": cadence.pk, "consent_text": "On file", "start_now": "on"}
        request = RequestFactory().post(IMPORT_URL, data, HTTP_HOST="localhost")
        request.COOKIES.update({name: morsel.value for name, morsel in client.cookies.items()})
        request._dont_enforce_csrf_checks = True
        return request

    def _measure(self, request, rows: int) -> None:
        handler = BaseHandler()
        handler.load_middleware()
        with measured() as upload:
            response = handler.get_response(request)
        if response.status_code != 302 or not ReengagementImport.objects.exists():
            raise CommandError(f"The import page answered {response.status_code} without queueing a job.")
        job = ReengagementImport.objects.latest("created_at")
        # Timed without tracemalloc, which slows every allocation down several times.
        rss_before = peak_rss_mb()
        started = time.monotonic()
        imports.reengagement_import_run(job_id=job.pk, budget_seconds=float("inf"))
        seconds = time.monotonic() - started
        job.refresh_from_db()
        if job.status != "done" or job.processed_rows != rows:
            raise CommandError(f"The job ended {job.status} after {job.processed_rows} rows: {job.error}")
        self.stdout.write(
            f"Upload answered in {upload['seconds']:.2f} s (peak Python memory {upload['peak_mb']:.1f} MB). "
            f"Job: {job.enrolled:,} enrolled, {job.not_texted:,} not texted, {job.rejected:,} rejected in "
            f"{seconds:.1f} s ({rows / seconds:.0f} rows/s); the process's peak memory rose by "
            f"{peak_rss_mb() - rss_before:.0f} MB during the job."
        )


@contextmanager
def measured():
    figures = {}
    tracemalloc.start()
    started = time.monotonic()
    try:
        yield figures
    finally:
        figures["seconds"] = time.monotonic() - started
        figures["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
        tracemalloc.stop()


def write_csv(out, rows: int) -> int:
    """Write the file row by row (the bench's own memory stays small); returns its size."""
    header = (
        "phone,sms_consent,first_name,last_name,email,state,zip_code,loan_purpose,external_id,consent_text"
    )
    out.write((header + "\n").encode())
    for n in range(rows):
        line = (
            f"(512) 5{n // 10000:02d}-{n % 10000:04d},yes,Ana{n},López,ana{n}@example.com,TX,78701,"
            f'purchase,crm-{n},"{CONSENT}"\n'
        )
        out.write(line.encode())
    return out.tell()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
