"""One field value checked on its own, whoever proposed it (the scripted reader or the model)."""

from leads.choices import US_STATES, Credit, LoanPurpose, LoanType, Timeline

CHOICES = {
    "loan_purpose": set(LoanPurpose.values),
    "loan_type": set(LoanType.values),
    "timeline": set(Timeline.values),
    "credit": set(Credit.values),
    "property_state": set(US_STATES),
}
BOOLEAN_FIELDS = ("preapproved", "has_agent", "property_found", "first_time_buyer")


def valid_value(name: str, value):
    """The value as the public contract spells it, or None when it is not one of them."""
    if name in BOOLEAN_FIELDS:
        return value if isinstance(value, bool) else None
    if not isinstance(value, str) or name not in CHOICES:
        return None
    value = value.strip()
    value = value.upper() if name == "property_state" else value.lower()
    return value if value in CHOICES[name] else None
