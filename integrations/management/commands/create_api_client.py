from django.core.management.base import BaseCommand, CommandError

from integrations.services import api_client_create
from mortgage_sms.errors import ApplicationError


class Command(BaseCommand):
    help = "Create an API client and print its token (alone, on the last line). Shown once."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, *args, name, **options):
        try:
            client, token = api_client_create(name=name)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stderr.write(f"Created API client {client.name!r}. Keep this token; it is not shown again:")
        self.stdout.write(token)
