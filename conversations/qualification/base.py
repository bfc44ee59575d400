"""The agent's interface: what it is given and what it returns, whichever backend runs."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Intent(StrEnum):
    CONTINUE = "continue"
    QUALIFIED = "qualified"
    NOT_READY = "not_ready"
    HANDOFF = "handoff"
    DISQUALIFIED = "disqualified"


# A wrong number, or someone who never asked: they revoked consent, so the lead is opted out.
REVOKING_REASONS = ("wrong_number", "did_not_ask")
ENDINGS = (Intent.QUALIFIED, Intent.NOT_READY, Intent.HANDOFF, Intent.DISQUALIFIED)
MAX_REPLY_CHARS = 320


@dataclass(frozen=True)
class AgentInput:
    """One borrower text and everything the agent may know when it answers it."""

    message: str  # the borrower's latest text, already redacted
    known: dict  # the qualification fields as they are now (None = unknown)
    state: dict  # the flow's memory, as the previous turn left it
    language: str = "en"
    first_name: str = ""
    lead_state: str = ""  # the state on the inquiry form: a hint for property_state
    texted_first: bool = False  # the borrower texted our number before any inquiry
    # (sender, body) oldest first; the latest borrower text is the last entry.
    history: tuple = ()
    # qualifying; offered (handed to routing, the remaining questions go on); waiting (answer,
    # ask nothing). See flow.phase_for.
    phase: str = "qualifying"
    now: datetime | None = None


@dataclass
class Turn:
    reply: str
    updates: dict = field(default_factory=dict)
    intent: Intent = Intent.CONTINUE
    reason: str = ""  # why a hand-off or a disqualification
    state: dict = field(default_factory=dict)
    silent: bool = False  # nothing to send (a tapback; "ok" while the officer has it)
    commands: list = field(default_factory=list)  # what understanding read, as dicts
    asks: str | None = None  # the field the reply asks about
    note: str = ""  # what a backend set aside (invalid commands, a draft it did not send)
    declined_offer: bool = False  # the borrower said no to our offer of a loan officer


class AgentError(Exception):
    """The backend could not produce a usable turn; `kind` says why (timeout, api_error, malformed)."""

    def __init__(self, kind: str, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.status_code = status_code


class NullRecorder:
    """Records nothing: for the evaluation command and the scripted agent."""

    def start(self, **details):
        return None

    def finish(self, call, **details) -> None:
        return None
