"""django-q2 entry points: take ids, call one service. Each may run twice; each claims its row."""

from conversations import services, windows
from integrations import services as integration_services
from leads import services as lead_services


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
    # The contact rules (the borrower's states' only), the do-not-contact list and whether any
    # webhook or CRM target exists are read once for the whole task (the decision, the
    # hand-over and the nurture enrollment that follows it, milliseconds apart).
    with (
        windows.rules_snapshot(as_needed=True),
        lead_services.dnc_snapshot(),
        integration_services.targets_snapshot(),
    ):
        return _send_first_contact(lead_id, inquiry_id)


def _send_first_contact(lead_id: str, inquiry_id: int) -> str:
    result = services.first_contact_send(lead_id=lead_id, inquiry_id=inquiry_id, queue_delivery=False)
    if result is None:
        return "skipped"
    if not result.queued:
        return f"blocked: {result.blocked_reason}"
    # Delivered here rather than by a task of its own: in a burst that task would wait behind
    # every greeting queued after this one (the broker is FIFO). A text held for the window,
    # or left queued by a worker that died right here, is queued again by the sweeper.
    return services.message_deliver(message_id=result.message.pk, stored=result.message)


def sweep_outbox() -> dict:
    return {**services.outbox_sweep(), **services.lost_work_requeue()}


def nudge_silent_borrowers() -> dict:
    return services.conversation_nudge_silent()
