"""One turn, whichever backend is on: the LLM first when configured, the guardrails on every
reply, and the scripted agent whenever the LLM errs, times out or breaks a rule."""

from dataclasses import dataclass

from conversations.qualification import guardrails
from conversations.qualification.base import AgentError, AgentInput, NullRecorder, Turn
from conversations.qualification.scripted import ScriptedAgent
from conversations.qualification.texts import phrase

BACKENDS = ("scripted", "claude")


@dataclass
class TurnResult:
    turn: Turn
    backend: str  # the backend configured
    answered_by: str  # the backend whose reply is sent
    fallback_reason: str = ""  # timeout, api_error, malformed, guardrail:<rule>
    error: str = ""
    guardrail: str = ""  # a rule that the reply sent had to be replaced for


def get_agent(backend: str):
    if backend == "claude":
        from conversations.qualification.claude import ClaudeAgent

        return ClaudeAgent()
    if backend == "scripted":
        return ScriptedAgent()
    raise ValueError(f"Unknown agent backend {backend!r}; use one of {', '.join(BACKENDS)}.")


def take_turn(agent_input: AgentInput, *, backend: str, recorder=None) -> TurnResult:
    recorder = recorder or NullRecorder()
    if backend != "scripted":
        try:
            turn = get_agent(backend).take_turn(agent_input, recorder)
        except AgentError as error:
            return _scripted(agent_input, backend, fallback_reason=error.kind, error=error.message)
        broken = None if turn.silent else guardrails.violation(turn.reply)
        if not broken:
            return TurnResult(turn=turn, backend=backend, answered_by=backend)
        return _scripted(
            agent_input, backend, fallback_reason=f"guardrail:{broken}", error=f"Reply withheld: {turn.reply}"
        )
    return _scripted(agent_input, backend)


def _scripted(agent_input: AgentInput, backend: str, **fallback) -> TurnResult:
    turn = ScriptedAgent().take_turn(agent_input)
    broken = None if turn.silent else guardrails.violation(turn.reply)
    if broken:
        # Our own texts pass the rules (tests check every one); this is the last line of defence.
        turn.reply = phrase("safe", agent_input.language)
    return TurnResult(turn=turn, backend=backend, answered_by="scripted", guardrail=broken or "", **fallback)
