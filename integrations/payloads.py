"""What a webhook's `data` holds: the resource as the API shows it (the API's own serializers)."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from rest_framework import serializers

from leads.api import LeadOutput, MessageOutput
from leads.selectors import lead_list


class WebhookMessageData(MessageOutput):
    """A message as `GET /api/v1/leads/{id}/messages/` shows it, plus the lead it belongs to
    (the API has it in the URL; a webhook has no URL)."""

    lead_id = serializers.UUIDField()


def lead_data(lead_id) -> dict:
    return LeadOutput(lead_list().get(pk=lead_id)).data


def message_data(message) -> dict:
    return WebhookMessageData(message).data


def event_body(*, type: str, timestamp: str, data: dict) -> str:
    """The exact text that is signed and sent, the same on every attempt."""
    return json.dumps({"type": type, "timestamp": timestamp, "data": data}, cls=DjangoJSONEncoder)


def call_data(call) -> dict:
    from calls.api import WebhookCallData

    return WebhookCallData(call).data


def appointment_data(appointment) -> dict:
    from appointments.api import WebhookAppointmentData

    return WebhookAppointmentData(appointment).data
