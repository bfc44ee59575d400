"""A local stand-in for the Anthropic Messages API, for the real anthropic SDK to talk to.

Queue what the next requests get (a tool call, plain text, an error status, a hang past the
client's timeout); read back what the SDK sent. Started per test on 127.0.0.1, port 0."""

import contextlib
import itertools
import json
import threading
from collections import deque
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_ids = itertools.count(1)


# What every answer reports as used: a cache hit after the first call, as the real API does
# for a cached system prompt.
USAGE = {
    "input_tokens": 321,
    "output_tokens": 45,
    "cache_creation_input_tokens": 0,
    "cache_read_input_tokens": 1800,
}


def message_body(content: list, *, stop_reason: str = "tool_use") -> dict:
    return {
        "id": f"msg_fake_{next(_ids)}",
        "type": "message",
        "role": "assistant",
        "model": "claude-sonnet-4-5-fake",
        "content": content,
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": dict(USAGE),
    }


class FakeAnthropic:
    def __init__(self):
        self.requests: list[dict] = []
        self._responses: deque = deque()
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address
        return f"http://{host}:{port}"

    # --- what the next request gets ------------------------------------------------------

    def tool_call(
        self, reply: str, *, commands: list | None = None, asks: str | None = None, ends: str = "none"
    ):
        """The model's answer: commands, and a draft reply that asks `asks` and ends `ends`."""
        data = {"commands": commands or [], "reply": reply, "reply_asks": asks, "reply_ends": ends}
        return self.tool_input(data)

    def tool_input(self, data, *, name: str = "record_turn"):
        block = {"type": "tool_use", "id": f"toolu_fake_{next(_ids)}", "name": name, "input": data}
        self._responses.append((200, message_body([block])))

    def text_only(self, text: str):
        self._responses.append((200, message_body([{"type": "text", "text": text}], stop_reason="end_turn")))

    def raw(self, body: bytes, *, status: int = 200, content_type: str = "application/json"):
        """Exactly these bytes: a 200 whose body is not JSON, or JSON that is not a message."""
        self._responses.append(("raw", (status, body, content_type)))

    def error(self, status: int, error_type: str, message: str):
        self._responses.append((status, {"type": "error", "error": {"type": error_type, "message": message}}))

    def hang(self):
        """Answer only after the client has given up (released when the server stops)."""
        self._responses.append(("hang", None))

    # --- the server ----------------------------------------------------------------------

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                fake.requests.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": body,
                    }
                )
                status, payload = fake._next()
                if status == "hang":
                    fake._release.wait(timeout=10)
                    status, payload = 200, message_body([])
                if status == "raw":
                    self._send(*payload)
                else:
                    self._send(status, json.dumps(payload).encode())

            def _send(self, status: int, data: bytes, content_type: str = "application/json"):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("request-id", f"req_fake_{len(fake.requests)}")
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(data)  # the client may have timed out and left

            def log_message(self, *args):
                pass

        return Handler

    def _next(self):
        if not self._responses:
            return 500, {"type": "error", "error": {"type": "api_error", "message": "No response queued."}}
        return self._responses.popleft()

    def start(self) -> "FakeAnthropic":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running_fake_anthropic():
    fake = FakeAnthropic().start()
    try:
        yield fake
    finally:
        fake.stop()
