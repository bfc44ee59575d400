"""A CRM's webhook endpoint: answers from a script of statuses (then 204), keeps what it acknowledged."""

import json

from tests.fakes.http import FakeServer, Reply


class WebhookReceiver(FakeServer):
    def __init__(self, *, script: list[int] | None = None, tls=None):
        super().__init__(tls=tls)
        self.script = list(script or [])
        self.acknowledged = []

    def handle(self, request):
        for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
            if header not in request.headers:
                return self.problem(f"missing {header}")
        status = self.script.pop(0) if self.script else 204
        if 200 <= status < 300:
            self.acknowledged.append(request)
        return Reply(status, b"" if status == 204 else {"status": status})

    def acknowledged_events(self) -> list[dict]:
        return [json.loads(request.body) for request in self.acknowledged]

    def acknowledged_types(self) -> list[str]:
        return [event["type"] for event in self.acknowledged_events()]
