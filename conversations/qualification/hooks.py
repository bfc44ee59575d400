"""Steps the policy names but cannot take itself, because they need the database or another
app: e.g. offering appointment times when the borrower would rather talk later.

The policy puts the step's name in `Decision.steps` (so in `Turn.steps`); the conversation
service calls `word(steps, lead=..., reply=...)` before sending. A provider registered for a
step returns the reply to send instead (say, the policy's words plus three open times), or
None to leave it. Providers register in their app's `ready()`:

    from conversations.qualification import hooks
    hooks.register("talk_later", offer_appointment_times)

Whatever a provider writes passes the same guardrails as every other reply."""

from collections.abc import Callable

from conversations.qualification import guardrails

STEPS = ("talk_later",)  # the borrower is busy now ("at work, text me later")
_providers: dict[str, list[Callable]] = {step: [] for step in STEPS}


def register(step: str, provider: Callable) -> None:
    if step not in _providers:
        raise ValueError(f"Unknown step {step!r}; the policy names {', '.join(STEPS)}.")
    if provider not in _providers[step]:
        _providers[step].append(provider)


def unregister(step: str, provider: Callable) -> None:
    if provider in _providers.get(step, []):
        _providers[step].remove(provider)


def word(steps: list[str], *, lead, reply: str) -> str:
    """The reply as the first provider for one of the steps words it (if it keeps the rules)."""
    for step in steps:
        for provider in _providers.get(step, []):
            text = provider(lead=lead, reply=reply)
            if text and not guardrails.violation(text):
                return text
    return reply
