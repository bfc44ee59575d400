"""django-q2 entry points: take ids, call one service. Each may run twice; each claims its row."""

from routing import services


def route_lead(request_id: int) -> str:
    offers = services.routing_offer_next(request_id=request_id)
    return f"offered to {len(offers)}" if offers else "no new offer"


def alert_officer(offer_id: int) -> str:
    return services.offer_alert(offer_id=offer_id)


def alert_ops(request_id: int) -> str:
    return services.routing_alert_ops(request_id=request_id)


def sweep_offers() -> dict:
    return services.offer_expiry_sweep()
