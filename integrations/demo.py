from integrations.models import ApiClient
from integrations.services import api_client_create

DEMO_CLIENT = "Demo CRM"


def seed(stdout) -> None:
    if ApiClient.objects.filter(name=DEMO_CLIENT).exists():
        return
    _, token = api_client_create(name=DEMO_CLIENT)
    stdout.write(f"Demo API token (shown once): {token}")
