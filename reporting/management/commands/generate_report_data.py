import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from reporting.devtools import generate


class Command(BaseCommand):
    help = (
        "Write a large made-up history (leads, texts, events, offers) into the configured database "
        "for the report benchmark. Refuses unless DEBUG: never run it on real data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--leads", type=int, default=100_000)
        parser.add_argument("--messages", type=int, default=1_000_000, help="about this many texts in all")
        parser.add_argument("--days", type=int, default=365, help="spread over this many days back")
        parser.add_argument("--seed", type=int, default=13)

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Refusing without DEBUG=true: this fills the database with made-up leads.")
        if options["leads"] < 1 or options["messages"] < options["leads"]:
            raise CommandError("Give at least one lead, and at least one text per lead.")
        started = time.monotonic()
        generate.generate(
            leads=options["leads"],
            messages=options["messages"],
            days=options["days"],
            seed=options["seed"],
            log=self.stderr.write,
        )
        if connection.vendor == "postgresql":
            # What autovacuum would do after such a load: without statistics the planner takes
            # a year of leads for a handful.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(f"Wrote {options['leads']} leads in {time.monotonic() - started:.0f} s.")
