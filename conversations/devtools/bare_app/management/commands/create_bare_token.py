import secrets

from django.core.management.base import BaseCommand

from conversations.devtools.bare_app.models import ApiToken


class Command(BaseCommand):
    help = "Create an API token for the bare app and print it."

    def handle(self, *args, **options):
        token = secrets.token_urlsafe(32)
        ApiToken.objects.create(token_hash=ApiToken.hash(token))
        self.stdout.write(token)
