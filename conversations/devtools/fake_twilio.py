"""A local stand-in for Twilio's Messages API, for the benchmark, the fault tests and local
experiments.

It answers `POST /2010-04-01/Accounts/<sid>/Messages.json` as Twilio does (201 and a message
resource) and records when each text arrived, so the real twilio SDK can be pointed at it with
TWILIO_API_BASE_URL. Faults are scripted per number: a number can be held (the request waits
until released: Twilio hanging), slowed, or answered with an error (a 429 with Retry-After).
It never sends anything anywhere.
"""

import json
import re
import threading
import time
import uuid
from base64 import b64decode
from collections import defaultdict, deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<account_sid>AC\w+)/Messages\.json$")
FAKE_FROM_NUMBER = "+15005550006"  # Twilio's own magic test number


@dataclass(frozen=True)
class Fault:
    """What the next request to a number gets instead of a plain 201."""

    status: int = 201
    code: int = 0
    retry_after: str = ""
    wait_for: threading.Event | None = None  # hold the request until this is set, then answer


@dataclass(frozen=True)
class Arrival:
    to: str
    arrived_at: float  # time.monotonic() of this process, as the request came in
    status: int  # what it was answered


@dataclass(frozen=True)
class AcceptedText:
    sid: str
    to: str
    body: str
    params: dict
    accepted_at: float  # time.monotonic() of this process


class FakeTwilio:
    """Start with `with FakeTwilio(...) as twilio:`; `twilio.base_url` goes to the SDK."""

    def __init__(self, *, account_sid: str, auth_token: str, delay_seconds: float = 0.0):
        self.account_sid = account_sid
        self.auth_token = auth_token
        # Real Twilio answers in a few hundred milliseconds; a delay makes the worker wait as it would.
        self.delay_seconds = delay_seconds
        self.accepted: list[AcceptedText] = []
        self.arrivals: list[Arrival] = []
        self.slow_numbers: dict[str, float] = {}  # number -> seconds each answer takes
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self._lock = threading.RLock()  # wait_until conditions read the records under it
        self._arrived = threading.Condition(self._lock)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeTwilio":
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, params: dict) -> AcceptedText:
        text = AcceptedText(
            sid=f"SM{uuid.uuid4().hex}",
            to=params.get("To", ""),
            body=params.get("Body", ""),
            params=params,
            accepted_at=time.monotonic(),
        )
        with self._arrived:
            self.accepted.append(text)
            self._arrived.notify_all()
        return text

    def hold(self, *numbers: str) -> threading.Event:
        """The next request to each number waits (Twilio hanging) until the event is set."""
        release = threading.Event()
        with self._lock:
            for number in numbers:
                self._faults[number].append(Fault(wait_for=release))
        return release

    def fail_next(self, number: str, *, status: int, code: int, retry_after: str = "") -> None:
        with self._lock:
            self._faults[number].append(Fault(status=status, code=code, retry_after=retry_after))

    def next_fault(self, number: str) -> Fault:
        with self._lock:
            return self._faults[number].popleft() if self._faults[number] else Fault()

    def note_arrival(self, to: str, status: int) -> None:
        with self._arrived:
            self.arrivals.append(Arrival(to=to, arrived_at=time.monotonic(), status=status))
            self._arrived.notify_all()

    def wait_until(self, condition, *, timeout: float) -> bool:
        """Block until condition(self) holds (checked on every arrival) or the timeout passed."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while not condition(self):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._arrived.wait(remaining)
            return True

    def texts_to(self, number: str) -> list[AcceptedText]:
        with self._lock:
            return [text for text in self.accepted if text.to == number]

    def first_acceptance_by_number(self) -> dict[str, float]:
        with self._lock:
            firsts: dict[str, float] = {}
            for text in self.accepted:
                firsts.setdefault(text.to, text.accepted_at)
            return firsts

    def wait_for_numbers(self, numbers: set[str], *, timeout: float) -> set[str]:
        """Block until a text reached each number or the timeout passed; return those still missing."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                missing = numbers - {text.to for text in self.accepted}
                remaining = deadline - time.monotonic()
                if not missing or remaining <= 0:
                    return missing
                self._arrived.wait(remaining)

    def authorized(self, header: str) -> bool:
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = b64decode(encoded).decode().partition(":")
        except ValueError:
            return False
        return user == self.account_sid and password == self.auth_token


def _handler_for(fake: FakeTwilio):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's requests session expects

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            match = MESSAGES_PATH.match(self.path.split("?")[0])
            if not match:
                return self._reply(404, {"code": 20404, "message": "Not found", "status": 404})
            if match["account_sid"] != fake.account_sid or not fake.authorized(
                self.headers.get("Authorization", "")
            ):
                return self._reply(401, {"code": 20003, "message": "Authenticate", "status": 401})
            params = {key: values[-1] for key, values in form.items()}
            if not params.get("To") or not (params.get("From") or params.get("MessagingServiceSid")):
                return self._reply(400, {"code": 21604, "message": "A 'To' and a sender are required"})
            fault = fake.next_fault(params["To"])
            fake.note_arrival(params["To"], fault.status)
            delay = fake.slow_numbers.get(params["To"], fake.delay_seconds)
            if delay:
                time.sleep(delay)  # stands in for Twilio's own response time
            if fault.wait_for is not None:
                fault.wait_for.wait(timeout=120)
            if fault.status != 201:
                headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                body = {"code": fault.code, "message": f"Scripted {fault.status}", "status": fault.status}
                return self._reply(fault.status, body, headers)
            text = fake.record(params)
            self._reply(201, _message_resource(fake.account_sid, text))

        def _reply(self, status: int, payload: dict, headers: dict | None = None) -> None:
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass  # hundreds of requests per run; the benchmark reports what matters

    return Handler


def _message_resource(account_sid: str, text: AcceptedText) -> dict:
    return {
        "sid": text.sid,
        "account_sid": account_sid,
        "to": text.to,
        "from": text.params.get("From") or FAKE_FROM_NUMBER,
        "messaging_service_sid": text.params.get("MessagingServiceSid"),
        "body": text.body,
        "status": "accepted" if text.params.get("MessagingServiceSid") else "queued",
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{account_sid}/Messages/{text.sid}.json",
    }
