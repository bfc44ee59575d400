from django.db import transaction

from integrations.models import ApiClient, hash_token
from mortgage_sms.errors import ApplicationError


@transaction.atomic
def api_client_create(*, name: str) -> tuple[ApiClient, str]:
    """Create a client and return it with its token, which is never stored in clear."""
    name = name.strip()
    if not name:
        raise ApplicationError("A client needs a name.", field="name")
    if ApiClient.objects.filter(name=name).exists():
        raise ApplicationError(f"An API client named {name!r} exists already.", field="name")
    token = ApiClient.new_token()
    client = ApiClient.objects.create(name=name, token_prefix=token[:12], token_hash=hash_token(token))
    return client, token
