import importlib
import importlib.util

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from integrations.models import ApiClient
from integrations.services import api_client_create

DEMO_ADMIN = ("admin", "admin")
PROJECT_APPS = ("leads", "conversations", "routing", "nurture", "integrations")


class Command(BaseCommand):
    help = "Demo data for `make run`: an admin login, an API client, and each app's demo data. Safe to run again."

    def handle(self, *args, **options):
        self._admin()
        self._api_client()
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

    def _api_client(self):
        if ApiClient.objects.filter(name="Demo CRM").exists():
            return
        _, token = api_client_create(name="Demo CRM")
        self.stdout.write(f"Demo API token (shown once): {token}")
