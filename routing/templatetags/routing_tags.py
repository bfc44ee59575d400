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


@register.filter
def field_name(name) -> str:
    """A lead field's name as people read it: "SMS consent", "Consent IP address"."""
    return display.field_label(str(name))
