from django import template

from leads import display
from routing import texts

register = template.Library()


@register.filter
def seconds_left(offer, now) -> int:
    return offer.seconds_left(now)


@register.filter
def mmss(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.filter
def summary(lead) -> str:
    return texts.lead_summary(lead)


@register.filter
def short_name(lead) -> str:
    return texts.short_name(lead)


@register.filter
def label(value) -> str:
    return texts.label(value)


# An inquiry's own fields, shown above its payload: the payload repeats them as posted.
INQUIRY_FIELDS_SHOWN = {"source", "source_detail", "sms_consent", "submitted_by"}


@register.filter
def payload_rows(payload: dict) -> list[tuple]:
    """The inquiry as posted, without what the page shows already as the inquiry's fields."""
    if not isinstance(payload, dict):
        return []
    return [(key, value) for key, value in payload.items() if key not in INQUIRY_FIELDS_SHOWN]


@register.filter
def field_name(name) -> str:
    """A lead field's name as people read it: "SMS consent", "Consent IP address"."""
    return display.field_label(str(name))
