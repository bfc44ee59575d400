"""Stored values as people read them in the admin: labels from the choices, yes/no, and
timeline events in words. Display only: the API keeps the stored values."""

from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from leads.models import Lead, LeadEvent

EVENT_TITLES = {
    "lead_created": "New lead",
    "inquiry_appended": "Another inquiry",
    "qualification_updated": "Qualification",
    "status_changed": "Status",
    "sms_blocked": "Text not sent",
    "sms_deferred": "Text held",
    "sms_failed": "Text failed",
    "agent_fallback": "Assistant fell back",
    "handoff": "Hand-off to a person",
    "ai_paused": "Assistant paused",
    "ai_resumed": "Assistant resumed",
    "opted_out": "Opted out",
    "opted_in": "Opted back in",
    "do_not_contact": "Marked do-not-contact",
    "nurture_enrolled": "Nurture started",
    "nurture_stopped": "Nurture stopped",
    "nurture_finished": "Nurture finished",
}


def field_label(name: str) -> str:
    """The field's name as its model says it ("SMS consent", not "Sms consent")."""
    try:
        return capfirst(str(Lead._meta.get_field(name).verbose_name))
    except FieldDoesNotExist:
        return name.replace("_", " ").capitalize()


def value_label(name: str, value) -> str:
    """A field's value as its choices name it; booleans as yes or no; None as unknown."""
    if value is None or value == "":
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    try:
        choices = dict(Lead._meta.get_field(name).flatchoices)
    except FieldDoesNotExist:
        choices = {}
    return str(choices.get(value, value))


def event_title(event: LeadEvent) -> str:
    return EVENT_TITLES.get(event.type, event.type.replace("_", " ").capitalize())


def event_summary(event: LeadEvent) -> str:
    """What happened, in words: qualification changes and status moves from the event's data."""
    data = event.data or {}
    if event.type == "qualification_updated" and isinstance(data.get("changes"), dict):
        return ", ".join(
            f"{field_label(name)}: {value_label(name, change[1])}"
            for name, change in data["changes"].items()
            if isinstance(change, list) and len(change) == 2
        )
    if event.type == "status_changed" and {"from", "to"} <= set(data):
        move = f"{value_label('status', data['from'])} → {value_label('status', data['to'])}"
        default = f"{data['from']} -> {data['to']}"
        return move if event.description in ("", default) else f"{move}. {event.description}"
    return event.description
