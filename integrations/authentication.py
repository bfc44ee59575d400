"""`Authorization: Token <token>` for API clients, compared by hash."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from integrations.models import ApiClient, hash_token


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key):
        client = ApiClient.objects.filter(token_hash=hash_token(key), active=True).first()
        if client is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        # One write a minute at most: the timestamp is for ops, not for accounting.
        if client.last_used_at is None or (now - client.last_used_at).total_seconds() > 60:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return client, key
