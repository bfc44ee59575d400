from django.core.management.base import BaseCommand, CommandError

from integrations.services import api_client_create
from mortgage_sms.errors import ApplicationError
from mortgage_sms.scopes import Scope


class Command(BaseCommand):
    help = "Create an API client and print its token (alone, on the last line). Shown once."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--scopes",
            help=f"What the token may do, comma-separated: {','.join(Scope.values)} (default: all). "
            "A web form needs only leads:create.",
        )

    def handle(self, *args, name, scopes, **options):
        chosen = None if scopes is None else [s.strip() for s in scopes.split(",") if s.strip()]
        try:
            client, token = api_client_create(name=name, scopes=chosen)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        self.stderr.write(
            f"Created API client {client.name!r} with scopes {', '.join(client.scopes)}. "
            "Keep this token; it is not shown again:"
        )
        self.stdout.write(token)
