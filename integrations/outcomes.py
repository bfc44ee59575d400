from dataclasses import dataclass


@dataclass(frozen=True)
class AttemptResult:
    """How one delivery attempt went, whoever made it (a webhook POST or a CRM connector)."""

    ok: bool
    status_code: int | None = None
    excerpt: str = ""
    error: str = ""
    # Seconds the far end asked us to wait (Retry-After) before the next attempt.
    retry_after: float | None = None
    # No retry can help this delivery: it fails now.
    give_up: bool = False
    # The target itself needs an operator (credentials refused, endpoint gone): it is switched off.
    disable_reason: str = ""
