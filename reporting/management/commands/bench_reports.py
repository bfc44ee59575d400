import statistics
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.utils import timezone

from conversations.models import Message
from leads.models import Lead
from reporting import facts, selectors
from reporting.models import LeadFact


class Command(BaseCommand):
    help = (
        "Time /admin/reports/ (the whole page, rendered) on the configured database: first brings "
        "every lead's facts up to date (timed), then requests the page for several ranges."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5, help="requests per range (the median is shown)")
        parser.add_argument("--stale", type=int, default=500, help="leads changed before the last scenario")

    def handle(self, *args, **options):
        vendor = connection.vendor
        self.stdout.write(
            f"{Lead.objects.count()} leads, {Message.objects.count()} messages, database: {vendor}"
        )
        started = time.monotonic()
        refreshed = facts.facts_catch_up(limit=10**9)  # what the schedule does: also sets the watermark
        self.stdout.write(
            f"Facts brought up to date for {refreshed} leads in {time.monotonic() - started:.1f} s"
        )
        client = self._client()
        since, until = selectors.default_range()
        for label, query in self._scenarios(since, until):
            self._time(client, label, query, options["runs"])
        changed = list(Lead.objects.order_by("-created_at").values_list("pk", flat=True)[: options["stale"]])
        Lead.objects.filter(pk__in=changed).update(updated_at=timezone.now())
        self._time(
            client, f"last 30 days, {len(changed)} leads changed since", f"since={since}&until={until}", 1
        )
        self.stdout.write(f"Fact rows: {LeadFact.objects.count()}")

    def _scenarios(self, since, until):
        year = until - timedelta(days=364)
        return [
            ("last 30 days (the default)", f"since={since}&until={until}"),
            ("last 90 days", f"since={until - timedelta(days=89)}&until={until}"),
            ("last 365 days", f"since={year}&until={until}"),
            ("last 365 days, source=paid, state=TX", f"since={year}&until={until}&source=paid&state=TX"),
        ]

    def _client(self) -> Client:
        User = get_user_model()
        user, _ = User.objects.get_or_create(
            username="bench-reports", defaults={"is_staff": True, "is_superuser": True}
        )
        client = Client()
        client.force_login(user)
        return client

    def _time(self, client: Client, label: str, query: str, runs: int) -> None:
        times = []
        for _ in range(runs):
            started = time.monotonic()
            response = client.get(f"/admin/reports/?{query}")
            times.append(time.monotonic() - started)
            if response.status_code != 200:
                raise RuntimeError(f"{label}: HTTP {response.status_code}")
        self.stdout.write(
            f"{label}: median {statistics.median(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms ({runs} runs)"
        )
