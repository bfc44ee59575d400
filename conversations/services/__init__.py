"""The conversation, as other apps and tasks see it: one import, several modules.

send_sms is the only way a text goes out (outbox); first_contact, inbound and turns are its
callers; recovery finds work whose task was lost."""

from conversations.services.first_contact import (
    INBOUND_SMS_SUBMITTER,
    NOT_GREETED_SUBMITTERS,
    REENGAGEMENT_SUBMITTER,
    REPEAT_GREETING_STATUSES,
    first_contact_schedule,
    first_contact_send,
)
from conversations.services.inbound import (
    inbound_handle,
    inbound_receive,
)
from conversations.services.outbox import (
    PAUSED_RECHECK,
    STATUS_ORDER,
    TWILIO_STATUSES,
    Hold,
    SendResult,
    SmsBatch,
    message_deliver,
    message_status_update,
    messages_deliver,
    outbox_sweep,
    send_sms,
    sms_batch,
    status_callback_url,
)
from conversations.services.recovery import (
    LOST_WORK_BATCH,
    LOST_WORK_LOOKBACK,
    lost_work_requeue,
)
from conversations.services.staff import staff_reply
from conversations.services.turns import (
    AGENT_STATUSES,
    CONVERSATION_STATUSES,
    HISTORY_MESSAGES,
    READABLE_REASONS,
    REVOKING_REASONS,
    WAITING_STATUSES,
    LLMCallRecorder,
    conversation_continue,
    conversation_continue_by_id,
    conversation_nudge_silent,
    conversation_schedule,
)

__all__ = [
    "AGENT_STATUSES",
    "CONVERSATION_STATUSES",
    "HISTORY_MESSAGES",
    "INBOUND_SMS_SUBMITTER",
    "LOST_WORK_BATCH",
    "LOST_WORK_LOOKBACK",
    "NOT_GREETED_SUBMITTERS",
    "PAUSED_RECHECK",
    "READABLE_REASONS",
    "REENGAGEMENT_SUBMITTER",
    "REPEAT_GREETING_STATUSES",
    "REVOKING_REASONS",
    "STATUS_ORDER",
    "TWILIO_STATUSES",
    "WAITING_STATUSES",
    "Hold",
    "LLMCallRecorder",
    "SendResult",
    "SmsBatch",
    "conversation_continue",
    "conversation_continue_by_id",
    "conversation_nudge_silent",
    "conversation_schedule",
    "first_contact_schedule",
    "first_contact_send",
    "inbound_handle",
    "inbound_receive",
    "lost_work_requeue",
    "message_deliver",
    "message_status_update",
    "messages_deliver",
    "outbox_sweep",
    "send_sms",
    "sms_batch",
    "staff_reply",
    "status_callback_url",
]
