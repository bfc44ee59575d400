"""Times as the admin shows them: in the server's one time zone (TIME_ZONE), with its name."""

from datetime import datetime

from django.utils import timezone


def local(moment: datetime | None, *, seconds: bool = False) -> str:
    if moment is None:
        return "—"
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M{':%S' if seconds else ''} %Z}"
