"""Salesforce, through simple-salesforce: Leads upserted by an external ID field, texts as Tasks."""

from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.cache import cache
from simple_salesforce import Salesforce, format_soql
from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession, SalesforceRefusedRequest

from integrations.connectors.base import Activity, Connector, ConnectorError, secret
from integrations.webhooks import parse_retry_after
from leads.models import Lead

# Salesforce requires these on a new Lead; we fill them only when we do not know the record yet,
# so a Company typed in by a salesperson is never overwritten.
NEW_LEAD_DEFAULTS = {"LastName": "(not given)", "Company": "(individual borrower)"}
# Salesforce's answer when the org's daily API allowance is spent: try again in an hour.
DAILY_LIMIT_RETRY_SECONDS = 3600
TOKEN_CACHE_SECONDS = 30 * 60
# Where Salesforce orgs live (production, sandboxes, Government Cloud, older instance names).
SALESFORCE_DOMAINS = (".salesforce.com", ".force.com", ".salesforce.mil", ".cloudforce.com")


class SalesforceConnector(Connector):
    kind = "salesforce"
    default_mapping = {
        "id": "Msms_Lead_Id__c",
        "first_name": "FirstName",
        "last_name": "LastName",
        "email": "Email",
        "phone": "MobilePhone",
        "state": "State",
        "zip_code": "PostalCode",
        "status": "Msms_Status__c",
        "temperature": "Msms_Temperature__c",
        "opted_out": "Msms_SMS_Opted_Out__c",
        "loan_purpose": "Msms_Loan_Purpose__c",
        "loan_type": "Msms_Loan_Type__c",
        "timeline": "Msms_Timeline__c",
        "preapproved": "Msms_Preapproved__c",
        "has_agent": "Msms_Has_Agent__c",
        "property_found": "Msms_Property_Found__c",
        "property_state": "Msms_Property_State__c",
        "credit": "Msms_Credit__c",
        "first_time_buyer": "Msms_First_Time_Buyer__c",
    }

    def __init__(self, integration):
        super().__init__(integration)
        self.instance_url = secret(integration, "instance_url", settings.SALESFORCE_INSTANCE_URL).rstrip("/")
        problem = instance_url_problem(self.instance_url)
        if problem:
            raise ConnectorError(problem, permanent=True, credentials=True)
        # Credentials from the environment go only to the instance the environment names: an
        # address typed in the admin gets the admin's own credentials, never the server's.
        from_env = self.instance_url == settings.SALESFORCE_INSTANCE_URL.rstrip("/")
        self.client_id = secret(integration, "client_id", settings.SALESFORCE_CLIENT_ID if from_env else "")
        self.client_secret = secret(
            integration, "client_secret", settings.SALESFORCE_CLIENT_SECRET if from_env else ""
        )
        self.static_token = secret(
            integration, "access_token", settings.SALESFORCE_ACCESS_TOKEN if from_env else ""
        )
        if not (self.static_token or (self.client_id and self.client_secret)):
            raise ConnectorError(
                "Salesforce needs an access token or a client id and secret: on the integration, "
                "or in SALESFORCE_* settings when the instance URL is SALESFORCE_INSTANCE_URL.",
                permanent=True,
                credentials=True,
            )
        self.session = _Session(timeout=settings.CRM_TIMEOUT_SECONDS)
        self.sf = None

    def push_lead(self, lead: Lead, *, remote_id: str | None, set_owner: bool) -> str:
        values = self.mapped_values(lead)
        external_field = self.mapping.get("id")
        if not external_field:
            raise ConnectorError("Map our `id` to the Lead's external ID field.", permanent=True)
        values.pop(external_field, None)
        for field, default in NEW_LEAD_DEFAULTS.items():
            if not values.get(field):
                # Salesforce refuses to blank these: a placeholder for a new Lead, else leave as is.
                values.pop(field, None)
                if remote_id is None:
                    values[field] = default
        with self._translated_errors():
            if set_owner and lead.assigned_officer and lead.assigned_officer.email:
                owner_id = self._call(lambda: self._user_id(lead.assigned_officer.email))
                if owner_id:
                    values["OwnerId"] = owner_id
            key = f"{external_field}/{lead.pk}"
            response = self._call(lambda: self.sf.Lead.upsert(key, values, raw_response=True))
            return _created_id(response) or self._call(
                lambda: self.sf.Lead.get_by_custom_id(external_field, str(lead.pk))["Id"]
            )

    def _user_id(self, email: str) -> str | None:
        query = format_soql("SELECT Id FROM User WHERE Email = {} AND IsActive = true LIMIT 1", email)
        records = self.sf.query(query)["records"]
        return records[0]["Id"] if records else None

    def log_activity(self, *, remote_lead_id: str, activity: Activity) -> str:
        if activity.kind == "appointment" and activity.outcome != "cancelled":
            event = {
                "WhoId": remote_lead_id,
                "Subject": activity.summary,
                "Description": activity.body,
                "StartDateTime": activity.occurred_at.isoformat(),
                "EndDateTime": activity.ends_at.isoformat(),
            }
            with self._translated_errors():
                return self._call(lambda: self.sf.Event.create(event))["id"]
        task = {
            "WhoId": remote_lead_id,
            "Subject": activity.summary,
            "Description": activity.body,
            "Status": "Completed",
            "ActivityDate": activity.occurred_at.date().isoformat(),
        }
        if activity.kind == "call":  # a logged call: Salesforce's own call fields
            task.update(
                TaskSubtype="Call", CallType="Outbound", CallDurationInSeconds=activity.duration_seconds or 0
            )
        with self._translated_errors():
            return self._call(lambda: self.sf.Task.create(task))["id"]

    def _call(self, operation):
        """Run `operation`; an expired token is renewed once when we hold client credentials."""
        if self.sf is None:
            self.sf = self._connect(fresh=False)
        try:
            return operation()
        except SalesforceExpiredSession:
            if not (self.client_id and self.client_secret):
                raise
            self.sf = self._connect(fresh=True)
            return operation()

    def _connect(self, *, fresh: bool) -> Salesforce:
        token = self._client_credentials_token(fresh) if self.client_id else self.static_token
        return Salesforce(
            instance_url=self.instance_url,
            session_id=token,
            version=settings.SALESFORCE_API_VERSION,
            session=self.session,
        )

    def _client_credentials_token(self, fresh: bool) -> str:
        key = f"integrations:salesforce-token:{self.integration.pk}"
        token = None if fresh else cache.get(key)
        if token:
            return token
        response = self.session.post(
            f"{self.instance_url}/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        if response.status_code in (400, 401, 403):
            raise ConnectorError(
                f"Salesforce refused the client credentials: {_oauth_error(response)}",
                permanent=True,
                status=response.status_code,
                credentials=True,
            )
        if response.status_code != 200:
            raise ConnectorError(f"Salesforce token endpoint HTTP {response.status_code}", permanent=False)
        token = response.json()["access_token"]
        cache.set(key, token, TOKEN_CACHE_SECONDS)
        return token

    @contextmanager
    def _translated_errors(self):
        try:
            yield
        except SalesforceError as error:
            raise _classify(error, retry_after=self.session.last_retry_after) from error
        except requests.RequestException as error:
            raise ConnectorError(f"Salesforce unreachable: {error}", permanent=False) from error


def instance_url_problem(url: str) -> str:
    """Why `url` is not a Salesforce org's address (empty when it is one). Only an https URL on
    Salesforce's own domains may receive our credentials; WEBHOOK_ALLOW_PRIVATE_URLS (local
    development and tests) lifts the rule."""
    if not url:
        return "Salesforce needs an instance URL (on the integration or in SALESFORCE_INSTANCE_URL)."
    if settings.WEBHOOK_ALLOW_PRIVATE_URLS:
        return ""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = -1
    if parts.scheme != "https" or parts.username or parts.password or port not in (None, 443):
        return f"The Salesforce instance URL must be https://yourdomain.my.salesforce.com, not {url!r}."
    if not host.endswith(SALESFORCE_DOMAINS):
        return (
            f"{host!r} is not a Salesforce address: the instance URL is your org's "
            f"https://yourdomain.my.salesforce.com (domains: {', '.join(d[1:] for d in SALESFORCE_DOMAINS)})."
        )
    return ""


def _oauth_error(response) -> str:
    """The OAuth error code and description only: never echo whatever else a server answered."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "error" not in body:
        return f"HTTP {response.status_code}"
    return f"{str(body['error'])[:60]}: {str(body.get('error_description', ''))[:200]}"


def _created_id(response) -> str | None:
    """Upsert answers 201 with the new id, and (API 46.0+) 200 with it on update; older 204."""
    if response.status_code in (200, 201) and response.content:
        return response.json().get("id")
    return None


def _classify(error: SalesforceError, *, retry_after: float | None) -> ConnectorError:
    content = (
        error.content.decode("utf-8", "replace") if isinstance(error.content, bytes) else str(error.content)
    )
    detail = f"Salesforce HTTP {error.status}: {content[:300]}"
    if isinstance(error, SalesforceExpiredSession):
        return ConnectorError(detail, permanent=True, status=401, credentials=True)
    if isinstance(error, SalesforceRefusedRequest) and "REQUEST_LIMIT_EXCEEDED" in content:
        return ConnectorError(detail, permanent=False, status=403, retry_after=DAILY_LIMIT_RETRY_SECONDS)
    if error.status == 429 or error.status >= 500:
        return ConnectorError(detail, permanent=False, status=error.status, retry_after=retry_after)
    return ConnectorError(detail, permanent=True, status=error.status)


class _Session(requests.Session):
    """A requests session with a default timeout, that remembers the last Retry-After."""

    def __init__(self, *, timeout: float):
        super().__init__()
        self.timeout = timeout
        self.last_retry_after = None
        self.hooks["response"].append(self._note_retry_after)

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", self.timeout)
        return super().request(*args, **kwargs)

    def _note_retry_after(self, response, *args, **kwargs):
        self.last_retry_after = (
            parse_retry_after(response.headers) if response.status_code in (429, 503) else None
        )
