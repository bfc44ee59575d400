import hashlib
import secrets

from django.db import models
from django.utils import timezone


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiClient(models.Model):
    """A CRM or form that calls the REST API; only a hash of its token is kept."""

    name = models.CharField(max_length=100, unique=True)
    token_prefix = models.CharField(max_length=12, help_text="First characters, to recognise it")
    token_hash = models.CharField(max_length=64, unique=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    # DRF checks `request.user.is_authenticated`; the client stands in for a user.
    is_authenticated = True

    @classmethod
    def new_token(cls) -> str:
        return f"msms_{secrets.token_urlsafe(32)}"
