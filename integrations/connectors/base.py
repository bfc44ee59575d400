"""The small interface every CRM connector implements, and its one error type."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from integrations.models import CrmIntegration
from integrations.outcomes import AttemptResult
from leads.choices import QUALIFICATION_FIELDS
from leads.models import Lead

# Our side of a field mapping: what a lead can send to a CRM.
LEAD_FIELDS = (
    "id", "first_name", "last_name", "phone", "email", "state", "zip_code", "source",
    "source_detail", "status", "temperature", "opted_out", *QUALIFICATION_FIELDS,
)  # fmt: skip


class ConnectorError(Exception):
    """A CRM call that failed. `permanent`: no retry of this call can help; `credentials`:
    the CRM refused our credentials, so the integration waits for an operator."""

    def __init__(
        self,
        message: str,
        *,
        permanent: bool,
        status: int | None = None,
        retry_after: float | None = None,
        credentials: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.status = status
        self.retry_after = retry_after
        self.credentials = credentials

    def as_result(self) -> AttemptResult:
        return AttemptResult(
            ok=False,
            status_code=self.status,
            error=self.message,
            retry_after=self.retry_after,
            give_up=self.permanent and not self.credentials,
            disable_reason=f"The CRM refused our credentials: {self.message}" if self.credentials else "",
        )


class RecordGone(ConnectorError):
    """The CRM no longer has the record we remembered (deleted or merged there)."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True, status=404)


@dataclass(frozen=True)
class Activity:
    """Something that happened with the borrower, for the record's timeline in a CRM.

    kind: `sms_received`, `sms_sent`, `call` or `appointment`."""

    kind: str
    occurred_at: datetime
    summary: str
    body: str
    # Calls: how it ended (our call status) and the talk time; appointments: booked,
    # rescheduled or cancelled, and when it ends (occurred_at is its start).
    outcome: str = ""
    duration_seconds: int | None = None
    ends_at: datetime | None = None

    @classmethod
    def from_message(cls, message: dict) -> "Activity":
        """From a text as the webhook's message data shows it."""
        inbound = message["direction"] == "inbound"
        return cls(
            kind="sms_received" if inbound else "sms_sent",
            occurred_at=parse_datetime(message["created_at"]),
            summary="SMS from borrower" if inbound else f"SMS to borrower ({message['sender']})",
            body=message["body"],
        )

    @classmethod
    def from_event(cls, event_type: str, data: dict) -> "Activity":
        """From a `call.completed` or `appointment.*` event's data."""
        officer = (data.get("officer") or {}).get("name", "the officer")
        if event_type == "call.completed":
            minutes, seconds = divmod(data.get("duration_seconds") or 0, 60)
            talk = f", {minutes} min {seconds} s" if minutes or seconds else ""
            return cls(
                kind="call",
                occurred_at=parse_datetime(data.get("ended_at") or data["created_at"]),
                summary=f"Call by {officer}: {data['status'].replace('_', ' ')}{talk}",
                body=data.get("note", ""),
                outcome=data["status"],
                duration_seconds=data.get("duration_seconds"),
            )
        change = event_type.split(".", 1)[1]
        return cls(
            kind="appointment",
            occurred_at=parse_datetime(data["starts_at"]),
            summary=f"Appointment {change} with {officer}",
            body=f"Call with {officer}, {data['starts_at']} to {data['ends_at']} ({data['borrower_time_zone']}).",
            outcome=change,
            ends_at=parse_datetime(data["ends_at"]),
        )


class Connector:
    """One CRM. Methods raise ConnectorError and return the CRM's id for what they wrote."""

    kind = "base"
    default_mapping: dict[str, str] = {}

    def __init__(self, integration: CrmIntegration):
        self.integration = integration

    def push_lead(self, lead: Lead, *, remote_id: str | None, set_owner: bool) -> str:
        """Create or update the lead's record (found by `remote_id`, or by phone/email or
        external id); set its owner from the assigned officer when `set_owner`."""
        raise NotImplementedError

    def log_activity(self, *, remote_lead_id: str, activity: Activity) -> str:
        """Put one activity (a text, a call, an appointment) on the record's timeline.
        Raises RecordGone when the record is not in the CRM any more."""
        raise NotImplementedError

    @staticmethod
    def mapping_errors(mapping: dict) -> list[str]:
        """What is wrong with the CRM's side of a mapping an operator typed (nothing we can tell)."""
        return []

    @property
    def mapping(self) -> dict[str, str]:
        return self.integration.field_mapping or self.default_mapping

    def mapped_values(self, lead: Lead) -> dict:
        """The lead's values under the CRM's names, for the fields the mapping names."""
        values = lead_values(lead)
        return {remote: values[ours] for ours, remote in self.mapping.items() if remote and ours in values}


def lead_values(lead: Lead) -> dict:
    values = {field: getattr(lead, field) for field in LEAD_FIELDS if hasattr(lead, field)}
    values["id"] = str(lead.pk)
    values["opted_out"] = lead.opted_out_at is not None
    return values


def secret(integration: CrmIntegration, field: str, fallback: str) -> str:
    """A credential from the admin, or from the environment when the admin leaves it blank."""
    return getattr(integration, field) or fallback
