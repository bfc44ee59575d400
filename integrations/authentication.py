"""`Authorization: Token <token>` for API clients, compared by hash."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from integrations.models import ApiClient, hash_token
from mortgage_sms import rows


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        # Every API request reads its client: built once as SQL (mortgage_sms/rows.py), since the
        # ORM's compiling of this one-row read cost more than the statement. token_hash is unique.
        client = rows.get(ApiClient, suffix="LIMIT 1", token_hash=hash_token(key), active=True)
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        # One write a minute at most: the timestamp is for ops, not for accounting.
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            rows.update(ApiClient, {"last_used_at": now}, pk=client.pk)
        return client, key
