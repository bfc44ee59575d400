"""A member of staff (ops) texting a borrower from the admin, through the one choke point."""

from conversations.models import Kind, Message, Sender
from conversations.services.outbox import SendResult, send_sms
from leads import services as lead_services
from leads.models import Lead
from mortgage_sms.errors import ApplicationError

MAX_LENGTH = 1600  # ten segments: a person's text, not a letter


def staff_reply(*, lead: Lead, body: str, actor: str, token: str = "") -> SendResult:
    """Text the borrower as a person on our side (sender `officer`); a form sent twice sends once.
    Like an officer's reply it goes at once while the borrower is texting, else at the next
    opening of their contact window; opt-outs and do-not-contact refuse it."""
    body = body.strip()
    if not body:
        raise ApplicationError("Write a message first.", field="body")
    if len(body) > MAX_LENGTH:
        raise ApplicationError(f"At most {MAX_LENGTH} characters.", field="body")
    key = f"staff_reply:{token}" if token else None
    if key and Message.objects.filter(dedupe_key=key).exists():
        return SendResult(message=Message.objects.get(dedupe_key=key))  # the same form again
    result = send_sms(
        lead=lead,
        body=body,
        kind=Kind.REPLY,
        sender=Sender.OFFICER,
        dedupe_key=key,
    )
    if result.queued:
        lead_services.lead_event_record(
            lead=lead, type="staff_reply", actor=actor, description=f"Texted by {actor}: {body[:160]}"
        )
    return result
