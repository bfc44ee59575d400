"""Memory and time of the admin's CSV re-engagement import (not a test: it prints figures).

It posts a generated CSV to the admin's import page as ops would (upload, import, report page),
in this process, and reports how far the process's peak memory rose. Run it on a database of
its own, e.g.
  DEBUG=true DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py migrate
  DEBUG=true DATABASE_URL=sqlite:////tmp/bench.sqlite3 python manage.py bench_reengagement_import"""

import logging
import os
import resource
import time

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client

from leads.models import Lead
from nurture.models import Cadence

BENCH_USER = "bench_reengagement_import"
# A realistic consent column: the disclosure each borrower agreed to, repeated on every row.
CONSENT = (
    "I agree to receive texts from Acme Home Loans at the number above about my inquiry, including "
    "automated texts. Consent is not a condition of purchase. Msg & data rates may apply. Msg "
    "frequency varies. Reply STOP to opt out, HELP for help. Terms: https://example.com/sms-terms. "
    "By submitting, I authorize Acme Home Loans and its loan officers to contact me by text at the "
    "number provided, including by automated means."
)


class Command(BaseCommand):
    help = "Post a generated CSV (about 5 MB) to the re-engagement import and print peak memory."

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
        content = csv_content(rows)
        self.stdout.write(
            f"Machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} | database: "
            f"{connection.vendor} | file: {len(content) / 1e6:.2f} MB, {rows:,} rows"
        )
        client = self._logged_in_client()
        baseline = peak_rss_mb()
        started = time.monotonic()
        response = client.post(
            "/admin/nurture/leadtoreengage/import/",
            {
                "file": SimpleUploadedFile("aged.csv", content, content_type="text/csv"),
                "cadence": cadence.pk,
                "consent_text": "On file",
                "start_now": "on",
            },
        )
        seconds = time.monotonic() - started
        self._report(response, seconds, peak_rss_mb() - baseline, rows)

    def _logged_in_client(self) -> Client:
        User = get_user_model()
        user = User.objects.filter(username=BENCH_USER).first()
        if user is None:
            user = User.objects.create_superuser(BENCH_USER, "", None)
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        return client

    def _report(self, response, seconds: float, rise_mb: float, rows: int) -> None:
        if response.status_code != 200 or "row(s):" not in response.content.decode():
            raise CommandError(f"The import page answered {response.status_code} without a report.")
        self.stdout.write(
            f"Imported {Lead.objects.count():,} leads in {seconds:.1f} s ({rows / seconds:.0f} rows/s); "
            f"peak memory rose by {rise_mb:.0f} MB (upload, import and report page)"
        )


def csv_content(rows: int) -> bytes:
    header = (
        "phone,sms_consent,first_name,last_name,email,state,zip_code,loan_purpose,external_id,consent_text"
    )
    lines = [header]
    for n in range(rows):
        lines.append(
            f"(512) 5{n // 10000:02d}-{n % 10000:04d},yes,Ana{n},López,ana{n}@example.com,TX,78701,"
            f'purchase,crm-{n},"{CONSENT}"'
        )
    return ("\n".join(lines) + "\n").encode()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes
