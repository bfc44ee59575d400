"""HubSpot, through the official hubspot-api-client: contacts, owners and SMS communications."""

from contextlib import contextmanager
from datetime import UTC

import urllib3
from django.conf import settings
from hubspot import HubSpot
from hubspot.crm import contacts, owners
from hubspot.crm.objects import calls, communications, meetings

from integrations.connectors.base import Activity, Connector, ConnectorError, secret
from integrations.webhooks import parse_retry_after
from leads.models import Lead

# HubSpot's own association type for "communication to contact".
COMMUNICATION_TO_CONTACT = 81
CALL_TO_CONTACT = 194
MEETING_TO_CONTACT = 200
# Our call statuses as HubSpot's hs_call_status values.
CALL_STATUS = {"completed": "COMPLETED", "no_answer": "NO_ANSWER", "busy": "BUSY", "failed": "FAILED",
               "canceled": "CANCELED"}  # fmt: skip
MEETING_OUTCOME = {"booked": "SCHEDULED", "rescheduled": "RESCHEDULED", "cancelled": "CANCELED"}
API_ERRORS = (contacts.ApiException, owners.ApiException, communications.ApiException)


class HubSpotConnector(Connector):
    kind = "hubspot"
    default_mapping = {
        "first_name": "firstname",
        "last_name": "lastname",
        "email": "email",
        "phone": "phone",
        "state": "state",
        "zip_code": "zip",
        "id": "msms_lead_id",
        "status": "msms_status",
        "temperature": "msms_temperature",
        "opted_out": "msms_sms_opted_out",
        "loan_purpose": "msms_loan_purpose",
        "loan_type": "msms_loan_type",
        "timeline": "msms_timeline",
        "preapproved": "msms_preapproved",
        "has_agent": "msms_has_agent",
        "property_found": "msms_property_found",
        "property_state": "msms_property_state",
        "credit": "msms_credit",
        "first_time_buyer": "msms_first_time_buyer",
    }

    def __init__(self, integration):
        super().__init__(integration)
        token = secret(integration, "access_token", settings.HUBSPOT_ACCESS_TOKEN)
        if not token:
            raise ConnectorError(
                "No HubSpot access token: set one on the integration or HUBSPOT_ACCESS_TOKEN.",
                permanent=True,
                credentials=True,
            )
        config = {"access_token": token}
        if settings.HUBSPOT_API_BASE_URL:
            config["host"] = settings.HUBSPOT_API_BASE_URL
        self.client = HubSpot(**config)
        self.timeout = settings.CRM_TIMEOUT_SECONDS

    def push_lead(self, lead: Lead, *, remote_id: str | None, set_owner: bool) -> str:
        properties = {name: _text(value) for name, value in self.mapped_values(lead).items()}
        with _translated_errors():
            if set_owner and lead.assigned_officer and lead.assigned_officer.email:
                owner_id = self._owner_id(lead.assigned_officer.email)
                if owner_id:
                    properties["hubspot_owner_id"] = owner_id
            contact_id = remote_id or self._find_contact(lead)
            if contact_id and self._update_contact(contact_id, properties):
                return contact_id
            created = self.client.crm.contacts.basic_api.create(
                contacts.SimplePublicObjectInputForCreate(properties=properties),
                _request_timeout=self.timeout,
            )
            return created.id

    def _update_contact(self, contact_id: str, properties: dict) -> bool:
        """False when the contact is gone (deleted or merged away in HubSpot)."""
        try:
            self.client.crm.contacts.basic_api.update(
                contact_id,
                contacts.SimplePublicObjectInput(properties=properties),
                _request_timeout=self.timeout,
            )
        except contacts.ApiException as error:
            if error.status == 404:
                return False
            raise
        return True

    def _find_contact(self, lead: Lead) -> str | None:
        groups = [
            contacts.FilterGroup(filters=[contacts.Filter(property_name=name, operator="EQ", value=value)])
            for name, value in (("email", lead.email), ("phone", lead.phone))
            if value
        ]
        if not groups:
            return None  # a search without filters would match every contact
        found = self.client.crm.contacts.search_api.do_search(
            contacts.PublicObjectSearchRequest(filter_groups=groups, properties=["email", "phone"], limit=1),
            _request_timeout=self.timeout,
        )
        return found.results[0].id if found.results else None

    def _owner_id(self, email: str) -> str | None:
        page = self.client.crm.owners.owners_api.get_page(email=email, limit=1, _request_timeout=self.timeout)
        return page.results[0].id if page.results else None

    def log_activity(self, *, remote_lead_id: str, activity: Activity) -> str:
        if activity.kind == "call":
            return self._create_engagement(
                self.client.crm.objects.calls,
                calls,
                CALL_TO_CONTACT,
                remote_lead_id,
                _call_properties(activity),
            )
        if activity.kind == "appointment":
            return self._create_engagement(
                self.client.crm.objects.meetings,
                meetings,
                MEETING_TO_CONTACT,
                remote_lead_id,
                _meeting_properties(activity),
            )
        association = communications.PublicAssociationsForObject(
            to=communications.PublicObjectId(id=remote_lead_id),
            types=[
                communications.AssociationSpec(
                    association_category="HUBSPOT_DEFINED", association_type_id=COMMUNICATION_TO_CONTACT
                )
            ],
        )
        properties = {
            "hs_communication_channel_type": "SMS",
            "hs_communication_logged_from": "CRM",
            "hs_communication_body": f"{activity.summary}: {activity.body}",
            "hs_timestamp": activity.occurred_at.astimezone(UTC).isoformat(),
        }
        with _translated_errors():
            created = self.client.crm.objects.communications.basic_api.create(
                communications.SimplePublicObjectInputForCreate(
                    properties=properties, associations=[association]
                ),
                _request_timeout=self.timeout,
            )
        return created.id

    def _create_engagement(
        self, api, module, association_type: int, remote_lead_id: str, properties: dict
    ) -> str:
        """A call or a meeting on the contact's timeline."""
        to_contact = module.PublicAssociationsForObject(
            to=module.PublicObjectId(id=remote_lead_id),
            types=[
                module.AssociationSpec(
                    association_category="HUBSPOT_DEFINED", association_type_id=association_type
                )
            ],
        )
        with _translated_errors():
            created = api.basic_api.create(
                module.SimplePublicObjectInputForCreate(properties=properties, associations=[to_contact]),
                _request_timeout=self.timeout,
            )
        return created.id


def _call_properties(activity: Activity) -> dict:
    return {
        "hs_timestamp": activity.occurred_at.astimezone(UTC).isoformat(),
        "hs_call_title": activity.summary,
        "hs_call_body": activity.body,
        "hs_call_direction": "OUTBOUND",
        "hs_call_duration": str(1000 * (activity.duration_seconds or 0)),
        "hs_call_status": CALL_STATUS.get(activity.outcome, "FAILED"),
    }


def _meeting_properties(activity: Activity) -> dict:
    start = activity.occurred_at.astimezone(UTC).isoformat()
    return {
        "hs_timestamp": start,
        "hs_meeting_title": activity.summary,
        "hs_meeting_body": activity.body,
        "hs_meeting_start_time": start,
        "hs_meeting_end_time": activity.ends_at.astimezone(UTC).isoformat(),
        "hs_meeting_outcome": MEETING_OUTCOME.get(activity.outcome, "SCHEDULED"),
    }


def _text(value) -> str:
    """HubSpot properties are strings; an empty string clears one."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@contextmanager
def _translated_errors():
    try:
        yield
    except API_ERRORS as error:
        raise _classify(error) from error
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise ConnectorError(f"HubSpot unreachable: {error}", permanent=False) from error


def _classify(error) -> ConnectorError:
    status = error.status or 0
    detail = f"HubSpot HTTP {status}: {_excerpt(error.body)}"
    if status == 401:
        return ConnectorError(detail, permanent=True, status=status, credentials=True)
    if status == 429 or status >= 500 or status == 0:
        return ConnectorError(
            detail, permanent=False, status=status or None, retry_after=parse_retry_after(error.headers)
        )
    return ConnectorError(detail, permanent=True, status=status)


def _excerpt(body) -> str:
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    return (body or "")[:300]
