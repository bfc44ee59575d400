"""A fake Salesforce org over HTTPS (simple-salesforce only speaks https): the OAuth client
credentials token endpoint, Lead upsert by external ID, SOQL for Users, and Task creation.

It checks what Salesforce checks: a live bearer token, the required fields of a new Lead, that
the external ID is not also in the body, and that a Task points at a Lead that exists."""

import itertools
import re
import secrets
import ssl

import trustme

from tests.fakes.http import FakeServer, Reply

INVALID_SESSION = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


class FakeSalesforce(FakeServer):
    def __init__(self, *, version: str = "62.0", client_id: str = "3MVG-test", client_secret: str = "s3cret"):
        self.ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.ca.issue_cert("127.0.0.1").configure_cert(context)
        super().__init__(tls=context)
        self.base = f"/services/data/v{version}"
        self.client_id, self.client_secret = client_id, client_secret
        self.valid_tokens: set[str] = set()
        self.leads: dict[str, dict] = {}  # Salesforce Id -> fields
        self.users: dict[str, str] = {}  # email -> User Id
        self.tasks: list[dict] = []
        self.events: list[dict] = []
        self.token_requests = 0
        self._ids = itertools.count(1)

    def ca_bundle(self, tmp_path) -> str:
        path = tmp_path / "fake-salesforce-ca.pem"
        self.ca.cert_pem.write_to_path(str(path))
        return str(path)

    def issue_token(self) -> str:
        token = f"00D!{secrets.token_hex(8)}"
        self.valid_tokens.add(token)
        return token

    def expire_tokens(self) -> None:
        self.valid_tokens.clear()

    def handle(self, request):
        if request.path == "/services/oauth2/token":
            return self._token(request)
        auth = request.headers.get("authorization", "")
        if auth.removeprefix("Bearer ") not in self.valid_tokens:
            return Reply(401, INVALID_SESSION)
        lead_by_external = re.fullmatch(rf"{self.base}/sobjects/Lead/(\w+)/([\w-]+)", request.path)
        if lead_by_external and request.method == "PATCH":
            return self._upsert(*lead_by_external.groups(), request.json())
        if lead_by_external and request.method == "GET":
            return self._get_by_external(*lead_by_external.groups())
        if request.method == "GET" and request.path == f"{self.base}/query/":
            return self._query(request.query.get("q", ""))
        if request.method == "POST" and request.path == f"{self.base}/sobjects/Event/":
            return self._event(request.json())
        if request.method == "POST" and request.path == f"{self.base}/sobjects/Task/":
            return self._task(request.json())
        return Reply(404, [{"errorCode": "NOT_FOUND", "message": f"{request.method} {request.path}"}])

    def _token(self, request) -> Reply:
        form = dict(pair.split("=", 1) for pair in request.body.decode().split("&"))
        if form.get("grant_type") != "client_credentials":
            return self.problem(f"unexpected grant {form.get('grant_type')}")
        if (form.get("client_id"), form.get("client_secret")) != (self.client_id, self.client_secret):
            return Reply(400, {"error": "invalid_client", "error_description": "invalid client credentials"})
        self.token_requests += 1
        return Reply(
            200, {"access_token": self.issue_token(), "instance_url": self.url, "token_type": "Bearer"}
        )

    def _find(self, field: str, value: str) -> str | None:
        return next((sf_id for sf_id, lead in self.leads.items() if lead.get(field) == value), None)

    def _upsert(self, field: str, value: str, body: dict) -> Reply:
        if field in body:
            return self.problem("the external ID field must not also be in the body")
        sf_id = self._find(field, value)
        if sf_id:
            blanked = [f for f in ("LastName", "Company") if f in body and not body[f]]
            if blanked:
                return Reply(
                    400,
                    [
                        {
                            "errorCode": "REQUIRED_FIELD_MISSING",
                            "message": f"Required fields are missing: {blanked}",
                        }
                    ],
                )
            self.leads[sf_id].update(body)
            return Reply(200, {"id": sf_id, "success": True, "errors": [], "created": False})
        missing = [f for f in ("LastName", "Company") if not body.get(f)]
        if missing:
            return Reply(
                400,
                [
                    {
                        "errorCode": "REQUIRED_FIELD_MISSING",
                        "message": f"Required fields are missing: {missing}",
                    }
                ],
            )
        sf_id = f"00Q{next(self._ids):012d}"
        self.leads[sf_id] = {**body, field: value}
        return Reply(201, {"id": sf_id, "success": True, "errors": [], "created": True})

    def _get_by_external(self, field: str, value: str) -> Reply:
        sf_id = self._find(field, value)
        if sf_id is None:
            return Reply(
                404, [{"errorCode": "NOT_FOUND", "message": "The requested resource does not exist"}]
            )
        return Reply(200, {"attributes": {"type": "Lead"}, "Id": sf_id, **self.leads[sf_id]})

    def _query(self, soql: str) -> Reply:
        match = re.fullmatch(r"SELECT Id FROM User WHERE Email = '([^']*)' AND IsActive = true LIMIT 1", soql)
        if not match:
            return self.problem(f"unexpected SOQL {soql!r}")
        user_id = self.users.get(match.group(1))
        records = [{"attributes": {"type": "User"}, "Id": user_id}] if user_id else []
        return Reply(200, {"totalSize": len(records), "done": True, "records": records})

    def _task(self, body: dict) -> Reply:
        if body.get("WhoId") not in self.leads:
            return Reply(400, [{"errorCode": "INVALID_CROSS_REFERENCE_KEY", "message": "invalid WhoId"}])
        if not body.get("Subject") or body.get("Status") != "Completed":
            return self.problem(f"a logged text is a completed Task with a subject: {body}")
        task_id = f"00T{next(self._ids):012d}"
        self.tasks.append({"Id": task_id, **body})
        return Reply(201, {"id": task_id, "success": True, "errors": []})

    def _event(self, body: dict) -> Reply:
        """An appointment: an Event on the lead, with a start and an end."""
        if body.get("WhoId") not in self.leads:
            return Reply(400, [{"errorCode": "INVALID_CROSS_REFERENCE_KEY", "message": "invalid WhoId"}])
        if not (body.get("Subject") and body.get("StartDateTime") and body.get("EndDateTime")):
            return self.problem(f"an Event needs a subject, a start and an end: {body}")
        event_id = f"00U{next(self._ids):012d}"
        self.events.append({"Id": event_id, **body})
        return Reply(201, {"id": event_id, "success": True, "errors": []})
