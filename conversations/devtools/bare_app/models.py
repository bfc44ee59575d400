import hashlib
import uuid

from django.db import models


class ApiToken(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)

    def __str__(self):
        return self.token_hash[:8]

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()


class Lead(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    first_name = models.CharField(max_length=80, blank=True)
    last_name = models.CharField(max_length=80, blank=True)
    phone = models.CharField(max_length=20)
    state = models.CharField(max_length=2, blank=True)
    source = models.CharField(max_length=20, default="web")
    sms_consent = models.BooleanField(default=False)
    consent_text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The text: claimed once (texting), then the gateway's answer.
    text_status = models.CharField(max_length=10, default="queued")
    provider_sid = models.CharField(max_length=64, blank=True)
    texted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.phone
