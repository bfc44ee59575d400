"""django-q2 entry points: take ids, call one service. Each may run twice."""

from appointments import services


def alert_officer(appointment_id: str) -> str:
    return services.officer_alert(appointment_id=appointment_id)


def send_reminders() -> int:
    return services.reminders_send()
