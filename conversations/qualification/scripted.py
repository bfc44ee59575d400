"""The scripted agent: the scripted understanding, the policy and the scripted wording.

It is the default backend and the fallback whenever the LLM errs, times out or breaks a rule."""

from conversations.qualification import flow, policy, understanding, wording
from conversations.qualification.base import AgentInput, Turn
from conversations.qualification.commands import Command


class ScriptedAgent:
    name = "scripted"

    def take_turn(self, agent_input: AgentInput, recorder=None) -> Turn:
        return turn_for(read(agent_input), agent_input)


def read(agent_input: AgentInput) -> list[Command]:
    state = flow.with_defaults(agent_input.state)
    context = understanding.Context(
        asked=state["asked"],
        numbered=state["numbered"],
        now=agent_input.now,
        offered_officer=state["pending"].get("field") == "offer_officer",
    )
    return understanding.read(agent_input.message, context)


def decide(commands: list[Command], agent_input: AgentInput) -> policy.Decision:
    situation = policy.Situation(
        known=agent_input.known,
        state=agent_input.state,
        phase=agent_input.phase,
        lead_state=agent_input.lead_state,
        redacted="[REDACTED" in agent_input.message,
    )
    return policy.decide(commands, situation)


def voice_for(agent_input: AgentInput, decision: policy.Decision) -> wording.Voice:
    introduce = not flow.with_defaults(agent_input.state)["introduced"] and not decision.silent
    return wording.Voice(
        language=agent_input.language,
        first_name=agent_input.first_name,
        texted_first=agent_input.texted_first,
        introduce=introduce,
        phase=agent_input.phase,
    )


def turn_for(commands: list[Command], agent_input: AgentInput, *, reply: str | None = None) -> Turn:
    """The policy's decision on these commands, in the scripted words unless `reply` is given."""
    decision = decide(commands, agent_input)
    text = wording.render(decision, voice_for(agent_input, decision)) if reply is None else reply
    if text:
        decision.state["introduced"] = True
    return Turn(
        reply=text,
        updates=decision.updates,
        intent=decision.intent,
        reason=decision.reason,
        state=decision.state,
        silent=decision.silent,
        commands=[c.as_dict() for c in commands],
        asks=decision.ask,
        declined_offer=decision.declined_offer,
    )
