"""Start-up warnings about settings that would text borrowers outside what the law allows."""

from django.conf import settings
from django.core.checks import Warning, register

# 47 CFR 64.1200(c)(1): no telephone solicitation before 8 a.m. or after 9 p.m. local time.
TCPA_START_HOUR, TCPA_END_HOUR = 8, 21


@register()
def contact_window_within_tcpa_hours(app_configs, **kwargs):
    start, end = settings.CONTACT_WINDOW_START_HOUR, settings.CONTACT_WINDOW_END_HOUR
    if start >= TCPA_START_HOUR and end <= TCPA_END_HOUR:
        return []
    return [
        Warning(
            f"CONTACT_WINDOW_START_HOUR / END_HOUR ({start}-{end}) reach outside 08:00-21:00, the "
            "federal hours for telephone solicitations (47 CFR 64.1200(c)(1)).",
            hint="Scheduled texts will go at those hours wherever no state rule is stricter. "
            "Keep 8 and 21 unless your counsel says otherwise.",
            id="conversations.W001",
        )
    ]
