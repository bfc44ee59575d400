"""The qualification agent: one interface (AgentInput in, Turn out), two backends
(`scripted`, `claude`), guardrails on every reply. Pure: it reads and writes no database;
conversations.services records the turns and applies them."""

from conversations.qualification.base import AgentInput, Intent, Turn
from conversations.qualification.runner import TurnResult, take_turn

__all__ = ["AgentInput", "Intent", "Turn", "TurnResult", "take_turn"]
