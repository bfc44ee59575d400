"""A call as webhooks (`call.completed`) and CRM connectors see it."""

from rest_framework import serializers

from calls.models import Call, CallStatus
from leads.api import OfficerOutput


class WebhookCallData(serializers.ModelSerializer):
    officer = OfficerOutput()
    status = serializers.ChoiceField(choices=CallStatus.choices)
    lead_id = serializers.UUIDField()

    class Meta:
        model = Call
        fields = [
            "id", "lead_id", "officer", "status", "duration_seconds", "recorded", "recording_url",
            "note", "created_at", "connected_at", "ended_at",
        ]  # fmt: skip
