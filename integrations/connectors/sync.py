"""Turn one recorded event into connector calls: a lead event upserts the record, a message
event logs the text on it (upserting the record first when the CRM has not seen the lead)."""

import json

from integrations.connectors import ConnectorError, get_connector
from integrations.connectors.base import Activity, RecordGone
from integrations.models import ACTIVITY_EVENT_TYPES, CrmIntegration, CrmRecord, EventType, OutboundEvent
from integrations.outcomes import AttemptResult
from leads.models import Lead


def crm_deliver(integration: CrmIntegration, event: OutboundEvent) -> AttemptResult:
    lead = Lead.objects.select_related("assigned_officer").filter(pk=event.lead_id).first()
    if lead is None:
        return AttemptResult(ok=True, excerpt="The lead was deleted: nothing to send.")
    try:
        connector = get_connector(integration)
        if event.message_id:
            summary = _log_message(connector, lead, event)
        elif event.type in ACTIVITY_EVENT_TYPES:
            activity = Activity.from_event(event.type, json.loads(event.body)["data"])
            summary = _log_activity(connector, lead, activity, object_type="activity", local_id=event.msg_id)
        else:
            remote_id = _push_lead(connector, lead, set_owner=event.type == EventType.LEAD_ASSIGNED)
            summary = f"Lead saved as {remote_id}."
    except ConnectorError as error:
        return error.as_result()
    return AttemptResult(ok=True, excerpt=summary)


def _push_lead(connector, lead: Lead, *, set_owner: bool) -> str:
    integration = connector.integration
    record = CrmRecord.objects.filter(
        integration=integration, object_type="lead", local_id=str(lead.pk)
    ).first()
    remote_id = connector.push_lead(
        lead, remote_id=record.remote_id if record else None, set_owner=set_owner or record is None
    )
    CrmRecord.objects.update_or_create(
        integration=integration, object_type="lead", local_id=str(lead.pk), defaults={"remote_id": remote_id}
    )
    return remote_id


def _log_message(connector, lead: Lead, event: OutboundEvent) -> str:
    activity = Activity.from_message(json.loads(event.body)["data"])
    return _log_activity(connector, lead, activity, object_type="message", local_id=str(event.message_id))


def _log_activity(connector, lead: Lead, activity: Activity, *, object_type: str, local_id: str) -> str:
    """Log it once (the CrmRecord remembers it), on the lead's record, creating the record first
    when the CRM has not seen the lead, or has lost it since."""
    integration = connector.integration
    logged = CrmRecord.objects.filter(
        integration=integration, object_type=object_type, local_id=local_id
    ).first()
    if logged:
        return f"Already logged as {logged.remote_id}."
    record = CrmRecord.objects.filter(
        integration=integration, object_type="lead", local_id=str(lead.pk)
    ).first()
    remote_lead_id = record.remote_id if record else _push_lead(connector, lead, set_owner=True)
    try:
        remote_id = connector.log_activity(remote_lead_id=remote_lead_id, activity=activity)
    except RecordGone:
        CrmRecord.objects.filter(integration=integration, object_type="lead", local_id=str(lead.pk)).delete()
        remote_lead_id = _push_lead(connector, lead, set_owner=True)
        remote_id = connector.log_activity(remote_lead_id=remote_lead_id, activity=activity)
    CrmRecord.objects.create(
        integration=integration, object_type=object_type, local_id=local_id, remote_id=remote_id
    )
    return f"{activity.summary} logged as {remote_id} on {remote_lead_id}."
