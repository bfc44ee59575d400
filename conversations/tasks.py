"""django-q2 entry points: take ids, call one service. Each may run twice; each claims its row."""

from conversations import services


def deliver_message(message_id: str) -> str:
    return services.message_deliver(message_id=message_id)


def deliver_messages(message_ids: list[str]) -> dict:
    return services.messages_deliver(message_ids=message_ids)


def handle_inbound(message_id: str) -> str:
    return services.inbound_handle(message_id=message_id)


def take_agent_turn(message_id: str) -> str:
    turn = services.conversation_continue_by_id(message_id=message_id)
    return turn.outcome if turn else "quiet"


def send_first_contact(lead_id: str, inquiry_id: int) -> str:
    result = services.first_contact_send(lead_id=lead_id, inquiry_id=inquiry_id)
    if result is None:
        return "skipped"
    if not result.queued:
        return f"blocked: {result.blocked_reason}"
    # Deliver now: in a burst, the queued delivery task would wait behind every greeting queued
    # after this one (the broker is FIFO). The claim makes that task a no-op, or this call one.
    return services.message_deliver(message_id=result.message.pk)


def sweep_outbox() -> dict:
    return {**services.outbox_sweep(), **services.lost_work_requeue()}


def nudge_silent_borrowers() -> dict:
    return services.conversation_nudge_silent()
