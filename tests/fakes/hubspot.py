"""A fake of the HubSpot CRM API (v3 contacts, owners, communications), enough for the connector.

It checks what HubSpot checks: a bearer token, string property values, search filter shapes,
and that a communication is an SMS logged from the CRM, associated with a contact that exists."""

import itertools
import re

from tests.fakes.http import FakeServer, Reply

STAMP = "2026-01-01T00:00:00.000Z"


# --- Calls and meetings (activities on the contact's timeline) ----------------------------------

ACTIVITY_ASSOCIATION = {"calls": 194, "meetings": 200}  # HubSpot's defined types to a contact
ACTIVITY_REQUIRED = {
    "calls": ("hs_timestamp", "hs_call_title", "hs_call_status", "hs_call_duration"),
    "meetings": ("hs_timestamp", "hs_meeting_title", "hs_meeting_start_time", "hs_meeting_end_time"),
}


class FakeHubSpot(FakeServer):
    def __init__(self, *, token: str = "pat-na1-test-token"):
        super().__init__()
        self.token = token
        self.contacts: dict[str, dict] = {}
        self.owners: dict[str, str] = {}  # email -> owner id
        self.communications: list[dict] = []
        self.activities: list[dict] = []  # calls and meetings, each with its "object"
        self._ids = itertools.count(501)

    def handle(self, request):
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return Reply(401, {"status": "error", "message": "Authentication credentials not found.",
                               "category": "INVALID_AUTHENTICATION"})  # fmt: skip
        route = (request.method, request.path)
        if route == ("POST", "/crm/v3/objects/contacts/search"):
            return self._search(request.json())
        if route == ("POST", "/crm/v3/objects/contacts"):
            return self._create(request.json())
        match = re.fullmatch(r"/crm/v3/objects/contacts/(\w+)", request.path)
        if request.method == "PATCH" and match:
            return self._update(match.group(1), request.json())
        if route == ("GET", "/crm/v3/owners/") or route == ("GET", "/crm/v3/owners"):
            return self._owners(request.query.get("email"))
        if route == ("POST", "/crm/v3/objects/communications"):
            return self._communicate(request.json())
        if route in (("POST", "/crm/v3/objects/calls"), ("POST", "/crm/v3/objects/meetings")):
            return self._activity(request.path.rsplit("/", 1)[-1], request.json())
        return Reply(404, {"status": "error", "message": f"No route {request.method} {request.path}"})

    def _contact(self, contact_id: str) -> dict:
        return {"id": contact_id, "properties": self.contacts[contact_id], "createdAt": STAMP,
                "updatedAt": STAMP, "archived": False}  # fmt: skip

    def _check_properties(self, body: dict) -> str | None:
        properties = body.get("properties")
        if not isinstance(properties, dict):
            return "properties must be an object"
        bad = [k for k, v in properties.items() if not isinstance(v, str)]
        return f"property values must be strings: {bad}" if bad else None

    def _search(self, body: dict) -> Reply:
        groups = body.get("filterGroups") or []
        for group in groups:
            for f in group.get("filters", []):
                if set(f) - {"propertyName", "operator", "value"} or f.get("operator") != "EQ":
                    return self.problem(f"unexpected filter {f}")
        found = [
            contact_id
            for contact_id, props in self.contacts.items()
            if any(all(props.get(f["propertyName"]) == f["value"] for f in g["filters"]) for g in groups)
        ]
        found = found[: body.get("limit") or 10]
        return Reply(200, {"total": len(found), "results": [self._contact(c) for c in found]})

    def _create(self, body: dict) -> Reply:
        problem = self._check_properties(body)
        if problem:
            return self.problem(problem)
        contact_id = str(next(self._ids))
        self.contacts[contact_id] = {k: v for k, v in body["properties"].items() if v != ""}
        return Reply(201, self._contact(contact_id))

    def _update(self, contact_id: str, body: dict) -> Reply:
        if contact_id not in self.contacts:
            return Reply(
                404, {"status": "error", "message": "resource not found", "category": "OBJECT_NOT_FOUND"}
            )
        problem = self._check_properties(body)
        if problem:
            return self.problem(problem)
        for key, value in body["properties"].items():
            if value == "":
                self.contacts[contact_id].pop(key, None)
            else:
                self.contacts[contact_id][key] = value
        return Reply(200, self._contact(contact_id))

    def _owners(self, email: str | None) -> Reply:
        results = [
            {
                "id": owner_id,
                "email": owner_email,
                "type": "PERSON",
                "createdAt": STAMP,
                "updatedAt": STAMP,
                "archived": False,
            }
            for owner_email, owner_id in self.owners.items()
            if email is None or owner_email == email
        ]
        return Reply(200, {"results": results})

    def _communicate(self, body: dict) -> Reply:
        problem = self._check_properties(body)
        if problem:
            return self.problem(problem)
        props = body["properties"]
        if (
            props.get("hs_communication_channel_type") != "SMS"
            or props.get("hs_communication_logged_from") != "CRM"
        ):
            return self.problem(f"not an SMS logged from the CRM: {props}")
        if not props.get("hs_communication_body") or not props.get("hs_timestamp", "").endswith("+00:00"):
            return self.problem(f"a communication needs a body and a UTC hs_timestamp: {props}")
        associations = body.get("associations") or []
        contact_ids = [a["to"]["id"] for a in associations]
        types = [t for a in associations for t in a["types"]]
        if not contact_ids or any(c not in self.contacts for c in contact_ids):
            return self.problem(f"associated with unknown contacts {contact_ids}")
        if types != [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 81}] * len(types):
            return self.problem(f"not a communication-to-contact association: {types}")
        communication_id = str(next(self._ids))
        self.communications.append({"id": communication_id, "contact_id": contact_ids[0], **props})
        return Reply(201, {"id": communication_id, "properties": props, "createdAt": STAMP, "updatedAt": STAMP,
                           "archived": False})  # fmt: skip

    def _activity(self, kind: str, body: dict) -> Reply:
        props = body.get("properties") or {}
        missing = [name for name in ACTIVITY_REQUIRED[kind] if not props.get(name)]
        if missing:
            return self.problem(f"a {kind[:-1]} needs {missing}: {props}")
        associations = body.get("associations") or []
        types = [t for a in associations for t in a["types"]]
        contact_ids = [a["to"]["id"] for a in associations]
        expected = {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": ACTIVITY_ASSOCIATION[kind]}
        if not contact_ids or any(c not in self.contacts for c in contact_ids) or types != [expected]:
            return self.problem(f"a {kind[:-1]} must be associated with one known contact: {associations}")
        activity_id = str(next(self._ids))
        self.activities.append({"id": activity_id, "object": kind, "contact_id": contact_ids[0], **props})
        return Reply(201, {"id": activity_id, "properties": props, "createdAt": STAMP, "updatedAt": STAMP,
                           "archived": False})  # fmt: skip
