"""Reads of the conversation that other apps need."""

from datetime import datetime

from conversations.models import Direction, Message, Sender


def officer_texted_since(*, lead_id, since: datetime) -> bool:
    """Whether a person (an officer) has texted the borrower after `since`."""
    return Message.objects.filter(
        lead_id=lead_id, direction=Direction.OUTBOUND, sender=Sender.OFFICER, created_at__gt=since
    ).exists()
