"""django-q2 entry points: take ids, call one service. Each may run twice; each claims its row."""

from calls import services


def place_call(call_id: str) -> str:
    return services.call_place(call_id=call_id)


def settle_stale_calls() -> int:
    return services.calls_settle_stale()
