"""django-q2 entry points: take ids, call one service. Each may run twice; each claims its row."""

from integrations import inbound, services


def deliver(delivery_id: int) -> str:
    return services.delivery_attempt(delivery_id=delivery_id)


def sweep_deliveries() -> dict:
    return services.deliveries_sweep()


def process_notification(notification_id: int) -> str:
    return inbound.notification_process(notification_id=notification_id)
