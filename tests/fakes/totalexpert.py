"""A fake of Total Expert's public API, from its published Postman collection: the client
credentials token, contacts (filters, deduplicating POST, PATCH), users, contact notes, SMS
opting and webhook subscriptions.

It checks every request as Total Expert documents it: HTTP Basic on /v1/token with a JSON
grant, a live bearer token everywhere else, JSON bodies, the attributes a contact may carry,
the required ones of a new contact, relationships by their settable fields only, note types,
and that a note's owner owns its contact. What breaks a rule lands in `problems`."""

import base64
import hashlib
import itertools
import json
import re
import secrets

from tests.fakes.http import FakeServer, Reply

# Contact Endpoints: Attributes, Relationships, Special POST/PATCH attributes.
CONTACT_FIELDS = {
    "address", "address_2", "birthday", "city", "close_date", "creation_date", "credit_score",
    "credit_score_date", "email", "email_work", "employer_address", "employer_address_2", "employer_city",
    "employer_license_number", "employer_name", "employer_state", "employer_zip", "external_id", "fax",
    "first_name", "last_contacted_date", "last_name", "license_number", "linkedin_url", "list_date",
    "nickname", "ok_to_call", "ok_to_email", "ok_to_mail", "other_url", "phone_cell", "phone_home",
    "phone_office", "pre_approval_issued_date", "preferences", "referred_by", "referred_to", "source",
    "state", "suffix", "title", "website_url", "zip_code", "owner", "contact_groups", "external_ids",
    "related_entities", "channels", "wlp_access", "custom", "shared_with_users", "assignee",
    "remove_contact_groups", "options", "remove_related_entities", "remove_channels", "do_not_contact",
}  # fmt: skip
CONTACT_FILTERS = {
    "internal_updated_at_start", "internal_updated_at_end", "owner_id", "owner_email", "owner_username",
    "first_name", "last_name", "email", "first_name_contains", "last_name_contains", "email_contains",
    "group_id", "group_name", "phone_cell", "phone_home", "phone_office", "owner_external_id", "archieved",
    "external_id", "source",
}  # fmt: skip
USER_FILTERS = {
    "internal_updated_at_start",
    "internal_updated_at_end",
    "email",
    "username",
    "status",
    "external_id",
}
USER_KEYS = {"username", "id", "external_id", "email"}
CREDIT_SCORES = {"Excellent", "Good", "Fair", "Poor", "Very Poor"}
REQUIRED_COMBINATIONS = [
    ("source", "first_name", "last_name", "email"),
    ("source", "first_name", "last_name", "phone_cell"),
    ("source", "first_name", "last_name", "phone_home"),
    ("source", "first_name", "last_name", "phone_office"),
    ("source", "first_name", "last_name", "address", "city", "state", "zip_code"),
]
CUSTOM_FIELDS = {
    "msms_status", "msms_temperature", "msms_sms_opted_out", "msms_loan_purpose", "msms_loan_type",
    "msms_timeline", "msms_preapproved", "msms_has_agent", "msms_property_found", "msms_property_state",
    "msms_first_time_buyer",
}  # fmt: skip


class FakeTotalExpert(FakeServer):
    def __init__(self, *, client_id: str = "te-client", client_secret: str = "te-s3cret"):
        super().__init__()
        self.client_id, self.client_secret = client_id, client_secret
        self.valid_tokens: set[str] = set()
        self.tokens_work = True  # False: every API call answers 401 (the client lost its API access)
        self.token_requests = 0
        self.contacts: dict[int, dict] = {}
        self.users: dict[int, dict] = {}
        self.notes: list[dict] = []
        self.opt_outs: list[dict] = []
        self.opt_ins: list[dict] = []
        self.subscriptions: dict[int, dict] = {}
        self.custom_fields = set(CUSTOM_FIELDS)
        self._ids = itertools.count(1001)

    def add_user(self, *, email: str, external_id: str = "", username: str = "") -> int:
        user_id = next(self._ids)
        self.users[user_id] = {
            "id": user_id, "email": email, "external_id": external_id,
            "username": username or email.split("@")[0],
        }  # fmt: skip
        return user_id

    def add_contact(self, **fields) -> int:
        contact_id = next(self._ids)
        self.contacts[contact_id] = {"external_ids": [], "custom": [], **fields}
        return contact_id

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def requests_to(self, method: str, path_prefix: str) -> list:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # --- Routing --------------------------------------------------------------------------------

    def handle(self, request):
        if request.path == "/v1/token":
            return self._token(request)
        bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
        if bearer not in self.valid_tokens or not self.tokens_work:
            return Reply(401, {"error": "invalid_token", "error_description": "The access token is invalid"})
        if request.method in ("POST", "PATCH"):
            if not request.headers.get("content-type", "").startswith("application/json"):
                return Reply(415, {"error": "The API endpoints expect a content type of 'media/json'"})
            try:
                request.json()
            except ValueError:
                return self.problem("the body is not JSON")
        return self._route(request)

    def _route(self, request):
        route = (request.method, request.path)
        contact = re.fullmatch(r"/v1/contacts/(\d+)", request.path)
        if route == ("GET", "/v1/contacts"):
            return self._list(request, self.contacts.values(), CONTACT_FILTERS, self._contact_view)
        if route == ("POST", "/v1/contacts"):
            return self._post_contact(request.json())
        if contact and request.method == "GET":
            found = self.contacts.get(int(contact.group(1)))
            return Reply(200, self._contact_view(found)) if found else Reply(404, {"error": "Not found"})
        if contact and request.method == "PATCH":
            return self._patch_contact(int(contact.group(1)), request.json())
        if route == ("GET", "/v1/users"):
            return self._list(request, self.users.values(), USER_FILTERS, dict)
        if route == ("POST", "/v1/contact-notes"):
            return self._note(request.json())
        if route == ("POST", "/v1/sms/opt-out"):
            return self._opt_out(request.json())
        if route == ("POST", "/v1/sms/opt-in"):
            return self._opt_in(request.json())
        if request.path.startswith("/v1/webhook-subscriptions"):
            return self._subscription(request)
        return Reply(404, {"error": f"No route {request.method} {request.path}"})

    # --- Authentication -------------------------------------------------------------------------

    def _token(self, request) -> Reply:
        if request.method != "POST":
            return Reply(405, {"error": "Method not allowed"})
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        basic = request.headers.get("authorization", "")
        if not basic.startswith("Basic "):
            return self.problem("the token request must use HTTP Basic with the client id and secret")
        try:
            grant = request.json().get("grant_type")
        except ValueError:
            return self.problem("the token request body must be JSON")
        if grant != "client_credentials":
            return self.problem(f"unexpected grant {grant!r}")
        if basic.removeprefix("Basic ") != expected:
            return Reply(
                400, {"error": "invalid_client", "error_description": "The client credentials are invalid"}
            )
        self.token_requests += 1
        token = secrets.token_hex(20)
        self.valid_tokens.add(token)
        return Reply(200, {"access_token": token, "expires_in": 3600, "token_type": "bearer", "scope": "crm"})

    # --- Contacts -------------------------------------------------------------------------------

    def _list(self, request, entities, supported: set, view) -> Reply:
        filters = {}
        for part in filter(None, request.query.get("filter", "").split(",")):
            name, _, value = part.partition("=")
            if name not in supported:
                return Reply(400, {"error": f"Invalid filter expression: {part}"})
            filters[name] = value
        size = int(request.query.get("page[size]", 10))
        if size > 100:
            return self.problem("at most 100 entities per page")
        found = [view(e) for e in entities if all(_same(k, e.get(k), v) for k, v in filters.items())]
        links = {"first": 1, "last": 1, "next": None, "prev": None}
        return Reply(200, {"items": found[:size], "links": links})

    def _post_contact(self, body: dict) -> Reply:
        error = self._check_contact(body)
        if error:
            return error
        existing = self._duplicate_of(body)
        if existing is not None:
            self._apply(existing, body)
            return Reply(200, {"duplicate": f"{self.url}/v1/contacts/{existing}", "id": existing})
        if not any(all(body.get(f) for f in combination) for combination in REQUIRED_COMBINATIONS):
            return self.problem(f"a new contact lacks its required attributes: {sorted(body)}")
        if "owner" not in body:
            return Reply(422, {"error": "Unable to find target for relationship: 'owner'"})
        contact_id = next(self._ids)
        self.contacts[contact_id] = {"external_ids": [], "custom": []}
        self._apply(contact_id, body)
        return Reply(201, {"created": f"{self.url}/v1/contacts/{contact_id}", "id": contact_id})

    def _patch_contact(self, contact_id: int, body: dict) -> Reply:
        if contact_id not in self.contacts:
            return Reply(404, {"error": "Not found"})
        if "owner" in body:
            return self.problem("a contact's owner changes through POST, not PATCH")
        error = self._check_contact(body)
        if error:
            return error
        self._apply(contact_id, body)
        return Reply(200, [])

    def _check_contact(self, body: dict) -> Reply | None:
        unknown = set(body) - CONTACT_FIELDS - {"id"}
        if unknown:
            return self.problem(f"unknown contact attributes {sorted(unknown)}")
        if "credit_score" in body and body["credit_score"] not in CREDIT_SCORES:
            return self.problem(f"credit_score {body['credit_score']!r} is not an accepted value")
        for entry in body.get("external_ids", []):
            if set(entry) != {"source", "external_id"}:
                return self.problem(f"an external id is {{source, external_id}}, not {entry}")
        for entry in body.get("custom", []):
            if set(entry) != {"field_name", "value"}:
                return self.problem(f"a custom field is {{field_name, value}}, not {entry}")
            if entry["field_name"] not in self.custom_fields:
                return Reply(422, {"error": f"Unknown custom field: {entry['field_name']}"})
        if "owner" in body:
            return self._check_user(body["owner"], "owner", USER_KEYS)
        return None

    def _check_user(self, reference, relationship: str, settable: set) -> Reply | None:
        if not isinstance(reference, dict) or not reference or set(reference) - settable:
            return self.problem(f"{relationship} is set by one of {sorted(settable)}, not {reference}")
        if self._user(reference) is None:
            return Reply(422, {"error": f"Unable to find target for relationship: '{relationship}'"})
        return None

    def _user(self, reference: dict) -> dict | None:
        return next(
            (u for u in self.users.values() if all(str(u[k]) == str(v) for k, v in reference.items())), None
        )

    def _duplicate_of(self, body: dict) -> int | None:
        if "id" in body:
            return int(body["id"]) if int(body["id"]) in self.contacts else None
        ours = {(e["source"], e["external_id"]) for e in body.get("external_ids", [])}
        for contact_id, contact in self.contacts.items():
            if ours & {(e["source"], e["external_id"]) for e in contact["external_ids"]}:
                return contact_id
        return None

    def _apply(self, contact_id: int, body: dict) -> None:
        contact = self.contacts[contact_id]
        for name, value in body.items():
            if name == "owner":
                contact["owner_id"] = self._user(value)["id"]
            elif name == "external_ids":
                known = {(e["source"], e["external_id"]) for e in contact["external_ids"]}
                contact["external_ids"] += [e for e in value if (e["source"], e["external_id"]) not in known]
            elif name == "custom":
                fields = {c["field_name"]: c["value"] for c in contact["custom"]} | {
                    c["field_name"]: c["value"] for c in value
                }
                contact["custom"] = [{"field_name": k, "value": v} for k, v in fields.items()]
            elif name != "id":
                contact[name] = value

    def _contact_view(self, contact: dict) -> dict:
        """A contact as GET shows it: its id, attributes, and the owner as an object."""
        contact_id = next(k for k, v in self.contacts.items() if v is contact)
        view = {k: v for k, v in contact.items() if k != "owner_id"}
        owner = self.users.get(contact.get("owner_id"))
        if owner:
            view["owner"] = dict(owner)
        return {"id": contact_id, **view}

    def custom_value(self, contact_id: int, field_name: str):
        return next(
            (c["value"] for c in self.contacts[contact_id]["custom"] if c["field_name"] == field_name), None
        )

    # --- Notes, opting, webhooks ----------------------------------------------------------------

    def _note(self, body: dict) -> Reply:
        missing = [f for f in ("title", "note", "type_id", "contact") if not body.get(f)]
        if missing:
            return self.problem(f"a contact note needs {missing}")
        if not isinstance(body["type_id"], int) or not 1 <= body["type_id"] <= 34:
            return self.problem(f"type_id {body['type_id']!r} is not a note type")
        contact = self.contacts.get(int(body["contact"].get("id", 0)))
        if contact is None:
            return Reply(422, {"error": "Unable to find target for relationship: 'contact'"})
        if "owner" not in body:
            return Reply(422, {"error": "Unable to find target for relationship: 'owner'"})
        error = self._check_user(body["owner"], "owner", USER_KEYS)
        if error:
            return error
        if self._user(body["owner"])["id"] != contact.get("owner_id"):
            return self.problem("the contact must be owned by the note's owner")
        note_id = next(self._ids)
        self.notes.append({"id": note_id, **body})
        return Reply(201, {"created": f"{self.url}/v1/contact-notes/{note_id}", "id": note_id})

    def _opt_out(self, body: dict) -> Reply:
        if set(body) != {"phone_number"} or not body["phone_number"]:
            return self.problem(f"an opt-out is {{phone_number}}, not {body}")
        self.opt_outs.append(body)
        return Reply(200, {})

    def _opt_in(self, body: dict) -> Reply:
        if set(body) != {"phone_number", "user", "status"} or body["status"] != "OPTED_IN":
            return self.problem(f"an opt-in is {{phone_number, user, status: OPTED_IN}}, not {body}")
        error = self._check_user(body["user"], "user", {"username", "id", "external_id"})
        if error:
            return error
        self.opt_ins.append(body)
        return Reply(200, {})

    def _subscription(self, request) -> Reply:
        match = re.fullmatch(r"/v1/webhook-subscriptions(?:/(\d+))?", request.path)
        body = request.json() if request.method in ("POST", "PATCH") else {}
        if not match or request.method not in ("POST", "PATCH"):
            return Reply(404, {"error": "Not found"})
        if not str(body.get("url", "")).startswith("https://"):
            return self.problem("the webhook url must be https")
        actions = body.get("actions") or []
        if not actions or any(set(a) != {"action", "item"} for a in actions):
            return self.problem(f"actions are [{{action, item}}], not {actions}")
        if not 1 <= len(body.get("secret", "")) <= 255:
            return self.problem("the secret is 1 to 255 characters")
        if request.method == "PATCH":
            subscription_id = int(match.group(1))
            if subscription_id not in self.subscriptions:
                return Reply(404, {"error": "Not found"})
        else:
            subscription_id = next(self._ids)
        self.subscriptions[subscription_id] = body
        return Reply(200, {"id": subscription_id})

    def notification(self, contact_id: int, *, secret: str, action: str = "UPDATED") -> bytes:
        """The body Total Expert posts for a contact change (Webhooks: Example Webhook Body)."""
        digest = json.dumps(self.contacts.get(contact_id), sort_keys=True, default=str)
        return json.dumps(
            {
                "item": "CONTACT",
                "action": action,
                "id": contact_id,
                "hashValue": hashlib.sha256(digest.encode()).hexdigest(),
                "secret": secret,
            }
        ).encode()


def _same(name: str, stored, wanted: str) -> bool:
    """Phone numbers compare on their digits only (Total Expert's deduplication rule)."""
    if name.startswith("phone_"):
        return bool(stored) and re.sub(r"\D", "", str(stored)) == re.sub(r"\D", "", wanted)
    return str(stored) == wanted
