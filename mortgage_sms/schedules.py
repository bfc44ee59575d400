"""Periodic work is registered by migrations through this helper, never by hand."""

MINUTES = "I"  # django_q.models.Schedule.MINUTES


def register(apps, *, name: str, func: str, minutes: int = 1) -> None:
    Schedule = apps.get_model("django_q", "Schedule")
    Schedule.objects.update_or_create(
        name=name,
        defaults={"func": func, "schedule_type": MINUTES, "minutes": minutes, "repeats": -1},
    )


def unregister(apps, *, name: str) -> None:
    apps.get_model("django_q", "Schedule").objects.filter(name=name).delete()
