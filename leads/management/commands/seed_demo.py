import importlib
import importlib.util

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

DEMO_ADMIN = ("admin", "admin")
PROJECT_APPS = ("leads", "conversations", "routing", "nurture", "integrations")


class Command(BaseCommand):
    help = "Demo data for `make run`: an admin login, then each app's demo data. Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-unless-debug",
            action="store_true",
            help="Without DEBUG, say that no demo data is made and succeed (make run) instead of failing",
        )

    def handle(self, *args, skip_unless_debug=False, **options):
        if not settings.DEBUG:
            if skip_unless_debug:
                self.stdout.write(
                    "DEBUG is false: no demo data (no admin/admin, no demo officers or API token). "
                    "Create your admin with `manage.py createsuperuser`."
                )
                return
            # Everyone who has read the README knows these passwords.
            raise CommandError(
                "seed_demo creates logins with published passwords (admin/admin, officers jane and "
                "marcus): it runs only with DEBUG=true, for local development."
            )
        self._admin()
        for app in PROJECT_APPS:
            # Each app may ship `<app>/demo.py` with `seed(stdout)`; it must be idempotent.
            if apps.is_installed(app) and importlib.util.find_spec(f"{app}.demo"):
                importlib.import_module(f"{app}.demo").seed(self.stdout)

    def _admin(self):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            return
        username, password = DEMO_ADMIN
        User.objects.create_superuser(username=username, password=password, email="")
        self.stdout.write(f"Admin login: {username} / {password}  (change it before real use)")
