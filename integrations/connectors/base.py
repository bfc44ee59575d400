"""The small interface every CRM connector implements, and its one error type."""

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

    def log_message(self, *, remote_lead_id: str, message: dict) -> str:
        """Put one text on the record's timeline; `message` is the webhook's message data."""
        raise NotImplementedError

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
