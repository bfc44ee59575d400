"""Total Expert, the mortgage CRM: contacts upserted (by our id, then phone, then e-mail), owned
by the lead's officer, every activity a contact note, and SMS opt-outs in its own opting records.
The client (HTTP, OAuth) is totalexpert_client; request shapes and their sources: docs/totalexpert.md."""

import html
import uuid
from datetime import UTC

from django.conf import settings
from django.core.cache import cache

from integrations.connectors.base import Activity, Connector, ConnectorError, RecordGone, lead_values
from integrations.connectors.totalexpert_client import TotalExpertClient
from integrations.models import CrmRecord
from leads.choices import QUALIFICATION_FIELDS
from leads.models import Lead
from leads.services import CONTACT_FIELDS

# Our lead id travels in the contact's external_ids under this source (Total Expert matches a
# contact by its external ids first when deduplicating).
EXTERNAL_ID_SOURCE = "Mortgage SMS"
CUSTOM_PREFIX = "custom."
# Total Expert's assignable contact attributes (Contact Endpoints: Attributes); anything else
# is a custom field, named `custom.<field_name>` in the mapping.
CONTACT_ATTRIBUTES = frozenset(
    {
        "address", "address_2", "birthday", "city", "close_date", "creation_date", "credit_score",
        "credit_score_date", "email", "email_work", "employer_address", "employer_address_2",
        "employer_city", "employer_license_number", "employer_name", "employer_state", "employer_zip",
        "external_id", "fax", "first_name", "last_contacted_date", "last_name", "license_number",
        "linkedin_url", "list_date", "nickname", "ok_to_call", "ok_to_email", "ok_to_mail", "other_url",
        "phone_cell", "phone_home", "phone_office", "pre_approval_issued_date", "referred_by",
        "referred_to", "source", "state", "suffix", "title", "website_url", "zip_code",
    }
)  # fmt: skip
PHONE_ATTRIBUTES = frozenset({"phone_cell", "phone_home", "phone_office"})
# credit_score takes these words only ('Very Poor' reads back as our `poor`).
CREDIT_SCORES = {"excellent": "Excellent", "good": "Good", "fair": "Fair", "poor": "Poor"}
CREDIT_FROM_SCORE = {**{word: ours for ours, word in CREDIT_SCORES.items()}, "Very Poor": "poor"}
BOOLEAN_FIELDS = frozenset({"preapproved", "has_agent", "property_found", "first_time_buyer", "opted_out"})
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "1", "yes"}), frozenset({"false", "0", "no"})
# What a Total Expert user may change on a lead: what PATCH /api/v1/leads/{id}/ takes, and an
# opt-out (never an opt-in: consent comes from the borrower).
INBOUND_FIELDS = frozenset({*CONTACT_FIELDS, *QUALIFICATION_FIELDS, "status", "opted_out"})
# A new contact needs a source, a first and a last name (plus a phone or an e-mail).
NEW_CONTACT_DEFAULTS = {"first_name": "(not given)", "last_name": "(not given)", "source": EXTERNAL_ID_SOURCE}
# Contact note types (Contact Notes: Type IDs); any other kind is a General Note (1).
NOTE_TYPES = {"sms_sent": 9, "sms_received": 10, "call": 7, "appointment": 25}
GENERAL_NOTE = 1
USER_CACHE_SECONDS = 3600


class TotalExpertConnector(Connector):
    kind = "total_expert"
    default_mapping = {
        "id": "external_id",
        "first_name": "first_name",
        "last_name": "last_name",
        "phone": "phone_cell",
        "email": "email",
        "state": "state",
        "zip_code": "zip_code",
        "source": "source",
        "credit": "credit_score",
        "status": "custom.msms_status",
        "temperature": "custom.msms_temperature",
        "opted_out": "custom.msms_sms_opted_out",
        "loan_purpose": "custom.msms_loan_purpose",
        "loan_type": "custom.msms_loan_type",
        "timeline": "custom.msms_timeline",
        "preapproved": "custom.msms_preapproved",
        "has_agent": "custom.msms_has_agent",
        "property_found": "custom.msms_property_found",
        "property_state": "custom.msms_property_state",
        "first_time_buyer": "custom.msms_first_time_buyer",
    }

    def __init__(self, integration):
        super().__init__(integration)
        self.client = TotalExpertClient(
            **credentials(integration), timeout=settings.CRM_TIMEOUT_SECONDS, cache_scope=str(integration.pk)
        )

    @staticmethod
    def mapping_errors(mapping: dict) -> list[str]:
        """What is wrong with a mapping an operator typed (values must be Total Expert's names)."""
        return [
            f"{ours}: {remote!r} is neither a Total Expert contact attribute nor custom.<field name>"
            for ours, remote in mapping.items()
            if remote and remote not in CONTACT_ATTRIBUTES and not _custom_name(remote)
        ]

    # --- Contacts -------------------------------------------------------------------------------

    def push_lead(self, lead: Lead, *, remote_id: str | None, set_owner: bool) -> str:
        if lead.opted_out_at:
            self._write_opt_out(lead)  # first: nothing after it may keep a STOP from Total Expert
        values = self.contact_values(lead)
        owner = self._officer_user(lead) if set_owner else None
        contact_id = self._upsert(lead, remote_id, values, owner)
        self._remember(lead, contact_id, values)
        if not lead.opted_out_at:
            self._write_opt_in_if_back(lead, contact_id)
        return contact_id

    def contact_values(self, lead: Lead) -> dict:
        """The lead under Total Expert's names, encoded as it takes them; unknowns left out
        (Total Expert asks for absent rather than blank values)."""
        encoded = {remote: _encode(remote, value) for remote, value in self.mapped_values(lead).items()}
        return {remote: value for remote, value in encoded.items() if value not in (None, "")}

    def _upsert(self, lead: Lead, remote_id: str | None, values: dict, owner: dict | None) -> str:
        body = self._contact_body(lead, values)
        if remote_id and not owner and self.client.update_contact(remote_id, body):
            return remote_id
        contact_id = (remote_id if owner else None) or self._find(lead)
        if contact_id is None:
            return self._create(body, owner or self._default_owner())
        if owner:
            # Total Expert changes a contact's owner only through POST, with the contact's id.
            return self.client.create_contact({**body, "id": contact_id, "owner": owner})
        if not self.client.update_contact(contact_id, body):
            return self._create(body, self._default_owner())
        return contact_id

    def _create(self, body: dict, owner: dict | None) -> str:
        try:
            return self.client.create_contact({**NEW_CONTACT_DEFAULTS, **body, **_owned(owner)})
        except ConnectorError as error:
            if owner is None and error.status == 422 and "owner" in error.message:
                error.message += " The lead has no officer known to Total Expert: set a default owner."
            raise

    def _contact_body(self, lead: Lead, values: dict) -> dict:
        body = {name: value for name, value in values.items() if not _custom_name(name)}
        custom = [{"field_name": _custom_name(n), "value": v} for n, v in values.items() if _custom_name(n)]
        if custom:
            body["custom"] = custom
        body["external_ids"] = [{"source": EXTERNAL_ID_SOURCE, "external_id": str(lead.pk)}]
        if lead.do_not_contact:
            # The lender's own block; never lifted from here (a Total Expert user may silence too).
            body["preferences"] = {"is_silenced": True}
        return body

    def _find(self, lead: Lead) -> str | None:
        """By our id, then the mobile number, then the e-mail (the first that matches)."""
        lookups = [{"external_id": str(lead.pk)}, {"phone_cell": national_phone(lead.phone)}]
        if lead.email:
            lookups.append({"email": lead.email})
        for filters in lookups:
            found = self.client.first_contact(**filters)
            if found:
                return str(found["id"])
        return None

    def _remember(self, lead: Lead, contact_id: str, values: dict) -> None:
        """Keep what Total Expert holds as far as we know (what we wrote, what we read), so a
        notification echoing it is not taken for a change made there."""
        known = self._known_values(lead, contact_id)
        CrmRecord.objects.update_or_create(
            integration=self.integration,
            object_type="lead",
            local_id=str(lead.pk),
            defaults={"remote_id": contact_id, "data": {"sent": {**known, **values}}},
        )

    def _known_values(self, lead: Lead, contact_id: str) -> dict:
        record = CrmRecord.objects.filter(
            integration=self.integration, object_type="lead", local_id=str(lead.pk)
        ).first()
        return record.data.get("sent", {}) if record and record.remote_id == contact_id else {}

    # --- Changes made in Total Expert -----------------------------------------------------------

    def fetch_contact(self, contact_id: str) -> dict | None:
        return self.client.get_contact(contact_id)

    def lead_of(self, contact: dict) -> Lead | None:
        """Our lead for a contact: the one we wrote to it, or the one its external ids name."""
        record = CrmRecord.objects.filter(
            integration=self.integration, object_type="lead", remote_id=str(contact["id"])
        ).first()
        candidates = [record.local_id] if record else []
        candidates += [
            entry.get("external_id")
            for entry in contact.get("external_ids") or []
            if entry.get("source") == EXTERNAL_ID_SOURCE
        ]
        for lead_id in filter(None, map(_uuid_or_none, candidates)):
            lead = Lead.objects.filter(pk=lead_id).first()
            if lead:
                return lead
        return None

    def changes_made_there(self, lead: Lead, contact: dict) -> dict:
        """Our fields a Total Expert user changed: values that differ from what we last wrote
        (or read) there and from the lead's own. Remembers what it read."""
        contact_id = str(contact["id"])
        known = self._known_values(lead, contact_id)
        received = contact_values(contact)
        current = lead_values(lead)
        changes = {}
        for ours, remote in self.mapping.items():
            if (
                ours in INBOUND_FIELDS
                and remote in received
                and known.get(remote, _UNSEEN) != received[remote]
            ):
                value = _decode(ours, remote, received[remote])
                if value != current.get(ours):
                    changes[ours] = value
        if _is_true((contact.get("preferences") or {}).get("is_silenced")) and not lead.do_not_contact:
            changes["status"] = "do_not_contact"  # its owner may not communicate: nor may we
        self._remember(lead, contact_id, {r: received[r] for r in self.mapping.values() if r in received})
        return changes

    def write_opt_out(self, lead: Lead) -> None:
        """An opt-out a Total Expert user recorded on the contact goes to its SMS opt-outs too."""
        self._write_opt_out(lead)

    # --- Owners ---------------------------------------------------------------------------------

    def _officer_user(self, lead: Lead) -> dict | None:
        """The officer's Total Expert user, found by e-mail, else by NMLS ID as the user's
        external id. None when there is no officer or Total Expert does not know them."""
        officer = lead.assigned_officer
        user_id = self.officer_user_id(officer) if officer else None
        return {"id": user_id} if user_id else None

    def _default_owner(self) -> dict | None:
        """Who owns a new contact without an officer. An existing contact keeps its owner."""
        default = self.integration.default_owner.strip()
        if not default:
            return None
        return {"email": default} if "@" in default else {"username": default}

    def officer_user_id(self, officer) -> str | None:
        for name, value in (("email", officer.email), ("external_id", officer.nmls_id)):
            if value:
                user_id = self._user_id(name, value)
                if user_id:
                    return user_id
        return None

    def _user_id(self, name: str, value: str) -> str | None:
        key = f"{self.client.token_cache_key}:user:{name}:{value}"
        user_id = cache.get(key)
        if user_id is None:
            user = self.client.first_user(**{name: value})
            user_id = str(user["id"]) if user else ""
            if user_id:
                cache.set(key, user_id, USER_CACHE_SECONDS)
        return user_id or None

    # --- SMS opting -----------------------------------------------------------------------------

    def _write_opt_out(self, lead: Lead) -> None:
        if self._opting_state(lead) != "opted_out":
            self.client.sms_opt_out(phone_number=national_phone(lead.phone))
            self._set_opting_state(lead, "opted_out")

    def _write_opt_in_if_back(self, lead: Lead, contact_id: str) -> None:
        """A borrower who texted START after we wrote their STOP: opted in again, under the
        contact's owner (Total Expert's opt-ins belong to a user)."""
        if self._opting_state(lead) != "opted_out":
            return
        owner = (self.client.get_contact(contact_id) or {}).get("owner") or {}
        if not owner.get("id"):
            raise ConnectorError(
                "Cannot write the opt-in: the Total Expert contact has no owner.", permanent=True
            )
        self.client.sms_opt_in(phone_number=national_phone(lead.phone), user={"id": owner["id"]})
        self._set_opting_state(lead, "opted_in")

    def _opting_state(self, lead: Lead) -> str:
        record = CrmRecord.objects.filter(
            integration=self.integration, object_type="sms_opting", local_id=str(lead.pk)
        ).first()
        return record.remote_id if record else ""

    def _set_opting_state(self, lead: Lead, state: str) -> None:
        CrmRecord.objects.update_or_create(
            integration=self.integration,
            object_type="sms_opting",
            local_id=str(lead.pk),
            defaults={"remote_id": state},
        )

    # --- Activities -----------------------------------------------------------------------------

    def log_activity(self, *, remote_lead_id: str, activity: Activity) -> str:
        """A contact note; Total Expert wants the note's owner to be the contact's owner."""
        contact = self.client.get_contact(remote_lead_id)
        if contact is None:
            raise RecordGone(f"Total Expert contact {remote_lead_id} is gone.")
        body = {
            "title": activity.summary,
            "note": _note_html(activity),
            "type_id": _note_type(activity),
            "contact": {"id": contact["id"]},
        }
        owner_id = (contact.get("owner") or {}).get("id")
        if owner_id:
            body["owner"] = {"id": owner_id}
        return self.client.create_note(body)


def credentials(integration) -> dict:
    """Where to call and with what. Secrets from the environment go only to the environment's
    base URL: a base URL set in the admin needs the client id and secret set there too."""
    if integration.api_base_url:
        if not (integration.client_id and integration.client_secret):
            raise ConnectorError(
                "This integration has its own API base URL: set its client id and secret too "
                "(the environment's credentials are only sent to TOTAL_EXPERT_API_BASE_URL).",
                permanent=True,
                credentials=True,
            )
        return dict(
            base_url=integration.api_base_url,
            client_id=integration.client_id,
            client_secret=integration.client_secret,
            vet_addresses=True,
        )
    client_id = integration.client_id or settings.TOTAL_EXPERT_CLIENT_ID
    client_secret = integration.client_secret or settings.TOTAL_EXPERT_CLIENT_SECRET
    if not (client_id and client_secret):
        raise ConnectorError(
            "No Total Expert credentials: set a client id and secret on the integration, or "
            "TOTAL_EXPERT_CLIENT_ID and TOTAL_EXPERT_CLIENT_SECRET.",
            permanent=True,
            credentials=True,
        )
    return dict(
        base_url=settings.TOTAL_EXPERT_API_BASE_URL,
        client_id=client_id,
        client_secret=client_secret,
        vet_addresses=False,
    )


def national_phone(phone: str) -> str:
    """Total Expert's preferred '(555)555-1234' for a North American number; it deduplicates on
    digits only, so +15125550100 and (512)555-0100 would be two different numbers to it."""
    if phone.startswith("+1") and len(phone) == 12:
        digits = phone[2:]
        return f"({digits[:3]}){digits[3:6]}-{digits[6:]}"
    return phone


def _encode(remote: str, value):
    if value is None:
        return None
    if remote in PHONE_ATTRIBUTES:
        return national_phone(value)
    if remote == "credit_score":
        return CREDIT_SCORES.get(value)
    if remote == "source" and isinstance(value, str):
        return f"{EXTERNAL_ID_SOURCE} ({value})"
    if isinstance(value, bool):
        return "True" if value else "False"  # Total Expert's "Boolean (String)"
    return value


_UNSEEN = object()


def contact_values(contact: dict) -> dict:
    """A fetched contact under the mapping's names: attributes, and `custom.<field_name>`."""
    values = {name: value for name, value in contact.items() if name in CONTACT_ATTRIBUTES}
    for entry in contact.get("custom") or []:
        if isinstance(entry, dict) and entry.get("field_name"):
            values[CUSTOM_PREFIX + entry["field_name"]] = entry.get("value")
    return values


def _decode(ours: str, remote: str, value):
    if remote == "credit_score":
        return CREDIT_FROM_SCORE.get(value)
    if ours in BOOLEAN_FIELDS:
        word = str(value).strip().lower()
        return word in TRUE_WORDS if word in TRUE_WORDS | FALSE_WORDS else None
    if value in (None, "") and ours not in CONTACT_FIELDS:
        return None
    return value


def _is_true(value) -> bool:
    return str(value).strip().lower() in TRUE_WORDS


def _uuid_or_none(text) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        return None


def _note_type(activity: Activity) -> int:
    if activity.kind == "appointment" and activity.outcome == "cancelled":
        return GENERAL_NOTE  # Total Expert has no "appointment cancelled" type
    return NOTE_TYPES.get(activity.kind, GENERAL_NOTE)


def _custom_name(remote: str) -> str:
    return remote.removeprefix(CUSTOM_PREFIX) if remote.startswith(CUSTOM_PREFIX) else ""


def _owned(owner: dict | None) -> dict:
    return {"owner": owner} if owner else {}


def _note_html(activity: Activity) -> str:
    """Notes are HTML in Total Expert: the borrower's words are escaped, line breaks kept."""
    text = html.escape(activity.body).replace("\n", "<br/>")
    when = activity.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{text}<br/><br/><small>{html.escape(activity.summary)}, {when}, via {EXTERNAL_ID_SOURCE}</small>"
