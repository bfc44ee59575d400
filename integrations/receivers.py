"""What leads and conversations tell us, turned into outbound events. Each only calls a service.

Signals arrive inside the change's transaction, so the event is recorded with the change."""

from django.dispatch import receiver

from appointments.signals import appointment_booked, appointment_cancelled, appointment_rescheduled
from calls.signals import call_completed
from conversations.signals import inbound_message, message_sent
from integrations import payloads
from integrations.models import EventType
from integrations.services import outbound_event_record
from leads.signals import (
    inquiry_appended,
    lead_created,
    lead_opted_out,
    lead_qualification_changed,
    lead_status_changed,
    lead_updated,
)

# lead_opted_in is not listened to: the opt-in service also sends lead_status_changed, which
# already makes a lead.updated.


@receiver(lead_created, dispatch_uid="integrations.lead_created")
def on_lead_created(sender, lead, inquiry, **kwargs):
    outbound_event_record(type=EventType.LEAD_CREATED, lead_id=lead.pk, actor=inquiry.submitted_by)


@receiver(inquiry_appended, dispatch_uid="integrations.inquiry_appended")
def on_inquiry_appended(sender, lead, inquiry, **kwargs):
    outbound_event_record(type=EventType.LEAD_UPDATED, lead_id=lead.pk, actor=inquiry.submitted_by)


@receiver(lead_status_changed, dispatch_uid="integrations.lead_status_changed")
def on_lead_status_changed(sender, lead, actor="", **kwargs):
    outbound_event_record(type=EventType.LEAD_UPDATED, lead_id=lead.pk, actor=actor)


@receiver(lead_qualification_changed, dispatch_uid="integrations.lead_qualification_changed")
def on_lead_qualification_changed(sender, lead, actor="", **kwargs):
    outbound_event_record(type=EventType.LEAD_UPDATED, lead_id=lead.pk, actor=actor)


@receiver(lead_updated, dispatch_uid="integrations.lead_updated")
def on_lead_updated(sender, lead, fields, actor="", **kwargs):
    assigned = "assigned_officer" in fields and lead.assigned_officer_id is not None
    event_type = EventType.LEAD_ASSIGNED if assigned else EventType.LEAD_UPDATED
    outbound_event_record(type=event_type, lead_id=lead.pk, actor=actor)


@receiver(lead_opted_out, dispatch_uid="integrations.lead_opted_out")
def on_lead_opted_out(sender, lead, **kwargs):
    outbound_event_record(type=EventType.LEAD_OPTED_OUT, lead_id=lead.pk, actor=kwargs.get("actor", ""))


@receiver(inbound_message, dispatch_uid="integrations.inbound_message")
def on_inbound_message(sender, lead, message, **kwargs):
    outbound_event_record(type=EventType.MESSAGE_RECEIVED, lead_id=lead.pk, actor="borrower", message=message)


@receiver(message_sent, dispatch_uid="integrations.message_sent")
def on_message_sent(sender, message, **kwargs):
    if message.lead_id is None:
        return  # an alert to staff, on no borrower's thread
    outbound_event_record(type=EventType.MESSAGE_SENT, lead_id=message.lead_id, message=message)


@receiver(call_completed, dispatch_uid="integrations.call_completed")
def on_call_completed(sender, call, **kwargs):
    outbound_event_record(
        type=EventType.CALL_COMPLETED, lead_id=call.lead_id, actor="", data=payloads.call_data(call)
    )


def _appointment_event(event_type: str):
    def record(sender, appointment, **kwargs):
        outbound_event_record(
            type=event_type, lead_id=appointment.lead_id, data=payloads.appointment_data(appointment)
        )

    return record


for _signal, _type in (
    (appointment_booked, EventType.APPOINTMENT_BOOKED),
    (appointment_rescheduled, EventType.APPOINTMENT_RESCHEDULED),
    (appointment_cancelled, EventType.APPOINTMENT_CANCELLED),
):
    _signal.connect(_appointment_event(_type), dispatch_uid=f"integrations.{_type}", weak=False)
