"""django-q2 entry points: take ids, call one service. Each may run twice; each claims its row."""

from routing import alerts, desk, services


def route_lead(request_id: int) -> str:
    offers = services.routing_offer_next(request_id=request_id)
    return f"offered to {len(offers)}" if offers else "no new offer"


def alert_officer(offer_id: int) -> str:
    return services.offer_alert(offer_id=offer_id)


def alert_ops(request_id: int) -> str:
    return services.routing_alert_ops(request_id=request_id)


def sweep_offers() -> dict:
    return services.offer_expiry_sweep()


def alert_thread(watch_id: int) -> str:
    return alerts.thread_alert(watch_id=watch_id)


def sweep_watches() -> dict:
    """Every minute: batched reply alerts, reminders, escalations, replies sent later."""
    return {**alerts.watch_sweep(), "scheduled_replies": desk.scheduled_replies_send()}
