"""A local HTTP(S) server on 127.0.0.1 for tests: it records every request, answers through
`handle`, and keeps a list of `problems` (requests the real service would have refused)."""

import json
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes

    def json(self):
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: object = b""
    headers: dict = field(default_factory=dict)

    def encoded(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body).encode()


class FakeServer:
    """Subclasses implement `handle(request) -> Reply`. Use as a context manager."""

    def __init__(self, *, tls: ssl.SSLContext | None = None):
        self.requests: list[Request] = []
        self.problems: list[str] = []
        self.forced: list[Reply] = []
        self._tls = tls
        self._port = 0
        self._server = None

    def handle(self, request: Request) -> Reply:
        raise NotImplementedError

    def fail_next(
        self, status: int, *, times: int = 1, headers: dict | None = None, body: object = b""
    ) -> None:
        """Answer the next `times` requests with this error, whatever they ask."""
        self.forced += [Reply(status, body, headers or {}) for _ in range(times)]

    def problem(self, text: str) -> Reply:
        self.problems.append(text)
        return Reply(400, {"message": text})

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self._port}"

    def start(self) -> "FakeServer":
        server = ThreadingHTTPServer(("127.0.0.1", self._port), _Handler)
        server.daemon_threads = True
        server.fake = self
        if self._tls:
            server.socket = self._tls.wrap_socket(server.socket, server_side=True)
        self._port = server.server_address[1]  # kept, so a restart comes back on the same port
        self._server = server
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def _dispatch(self, request: Request) -> Reply:
        self.requests.append(request)
        if self.forced:
            return self.forced.pop(0)
        try:
            return self.handle(request)
        except Exception as error:  # a fake that crashes says so instead of hanging the test
            self.problems.append(f"fake crashed on {request.method} {request.path}: {error!r}")
            return Reply(500, {"message": repr(error)})


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=parts.path,
            query={k: v[0] for k, v in parse_qs(parts.query).items()},
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        reply = self.server.fake._dispatch(request)
        body = reply.encoded()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json", **reply.headers}
        for name, value in headers.items():
            self.send_header(name, str(value))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

    def log_message(self, *args):
        pass  # quiet
