"""A local fake of Twilio's REST API for the real twilio SDK to talk to.

It records every request (method, path, form parameters, basic auth) and answers a created
Message the way Twilio does, unless a test scripts the next answers: an error with a Twilio
code, or a connection dropped after the request was read (the request may have gone through,
the caller never hears back)."""

import base64
import itertools
import json
import socket
import threading
from collections import deque
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    form: dict[str, str]
    auth: tuple[str, str] | None


@dataclass(frozen=True)
class ScriptedAnswer:
    status: int = 201
    body: dict | None = None
    drop_connection: bool = False
    wait_for: threading.Event | None = None  # answer only once this is set


class FakeTwilio:
    """Start with `FakeTwilio().start()`; point the SDK at `base_url`; `stop()` when done."""

    def __init__(self):
        self.requests: list[RecordedRequest] = []
        self._script: deque[ScriptedAnswer] = deque()
        self._sids = itertools.count(1)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._ended_calls: dict[str, dict] = {}

    # --- Lifecycle ---------------------------------------------------------------------------

    def start(self) -> "FakeTwilio":
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    # --- Scripting ---------------------------------------------------------------------------

    def fail_next(self, *, status: int, code: int | None = None, message: str = "", times: int = 1):
        """The next `times` requests get Twilio's legacy error body (code, message, status)."""
        body = {"code": code or status, "message": message or f"HTTP {status}", "status": status}
        body["more_info"] = f"https://www.twilio.com/docs/errors/{body['code']}"
        for _ in range(times):
            self._script.append(ScriptedAnswer(status=status, body=body))

    def fail_next_rfc9457(self, *, status: int, code: int, title: str) -> None:
        """The next request gets the problem-details error body newer Twilio APIs answer."""
        body = {"type": f"https://www.twilio.com/docs/errors/{code}", "title": title}
        self._script.append(ScriptedAnswer(status=status, body={**body, "status": status, "code": code}))

    def drop_next_connection(self) -> None:
        self._script.append(ScriptedAnswer(drop_connection=True))

    def hold_next(self, release: threading.Event) -> None:
        """The next request is read at once and answered (created) only when `release` is set:
        the text is in Twilio's hands while the caller still waits."""
        self._script.append(ScriptedAnswer(wait_for=release))

    def call_ended(self, sid: str, *, status: str, duration: int = 0) -> None:
        """From now on, fetching call `sid` answers that it ended so (else it is in progress)."""
        self._ended_calls[sid] = {"status": status, "duration": str(duration)}

    # --- What was asked ----------------------------------------------------------------------

    @property
    def messages_created(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == "POST" and r.path.endswith("/Messages.json")]

    def _record_and_answer(self, request: RecordedRequest) -> ScriptedAnswer:
        with self._lock:
            self.requests.append(request)
            answer = self._script.popleft() if self._script else ScriptedAnswer()
            if answer.body is None and not answer.drop_connection:
                answer = replace(answer, body=self._default_body(request))
            return answer

    def _default_body(self, request: RecordedRequest) -> dict:
        if request.method == "GET" and "/Calls/" in request.path:
            sid = request.path.rsplit("/", 1)[-1].removesuffix(".json")
            return {"sid": sid, "status": "in-progress", "duration": None, **self._ended_calls.get(sid, {})}
        if _is_call(request):
            return _created_call(request, next(self._sids))
        return self._created_message(request)

    def _created_message(self, request: RecordedRequest) -> dict:
        sid = f"SM{next(self._sids):032x}"
        account = request.path.split("/")[3] if request.path.count("/") >= 4 else ""
        return {
            "sid": sid,
            "account_sid": account,
            "to": request.form.get("To"),
            "from": request.form.get("From"),  # null with a Messaging Service until it picks
            "messaging_service_sid": request.form.get("MessagingServiceSid"),
            "body": request.form.get("Body"),
            "status": "accepted" if "MessagingServiceSid" in request.form else "queued",
            "num_segments": "1",
            "direction": "outbound-api",
            "api_version": "2010-04-01",
            "uri": f"{request.path[: -len('.json')]}/{sid}.json",
        }


# --- The Calls API (Twilio Voice): a created call, as Twilio answers it --------------------------


def _created_call(request: RecordedRequest, number: int) -> dict:
    sid = f"CA{number:032x}"
    account = request.path.split("/")[3] if request.path.count("/") >= 4 else ""
    return {
        "sid": sid,
        "account_sid": account,
        "to": request.form.get("To"),
        "from": request.form.get("From"),
        "status": "queued",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "uri": f"{request.path[: -len('.json')]}/{sid}.json",
    }


def _is_call(request: RecordedRequest) -> bool:
    return request.path.endswith("/Calls.json")


def calls_created(fake: FakeTwilio) -> list[RecordedRequest]:
    return [r for r in fake.requests if r.method == "POST" and r.path.endswith("/Calls.json")]


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        self._answer()

    def do_POST(self):
        self._answer()

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode() if length else ""
        form = {key: values[-1] for key, values in parse_qs(raw, keep_blank_values=True).items()}
        request = RecordedRequest(self.command, urlsplit(self.path).path, form, self._basic_auth())
        answer = self.server.fake._record_and_answer(request)
        if answer.wait_for is not None:
            answer.wait_for.wait(timeout=30)
        if answer.drop_connection:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        payload = json.dumps(answer.body or {}).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _basic_auth(self) -> tuple[str, str] | None:
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return None
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        return user, password

    def log_message(self, format, *args):
        pass  # keep the test output clean


def refused_base_url() -> tuple[str, socket.socket]:
    """A URL on which nothing listens: connecting is refused at once. Keep the socket open
    (bound, not listening) while it is in use, so no other process takes the port."""
    holder = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    holder.bind(("127.0.0.1", 0))
    host, port = holder.getsockname()
    return f"http://{host}:{port}", holder
