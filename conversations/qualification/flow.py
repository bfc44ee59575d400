"""The order of questions and the flow's memory between turns (kept on each AgentTurn)."""

from leads.choices import LoanPurpose, Timeline

# What routing needs first (purpose, timeline, state, then pre-approval for a purchase); the
# rest is asked while the offer waits, or left to the officer.
ORDER = (
    "loan_purpose",
    "timeline",
    "property_state",
    "preapproved",
    "property_found",
    "has_agent",
    "first_time_buyer",
    "loan_type",
    "credit",
)
PURCHASE_ONLY = ("property_found", "has_agent", "preapproved", "first_time_buyer")
# A home equity line or a construction loan has no conventional/FHA/VA choice to make.
NO_LOAN_TYPE = (LoanPurpose.HELOC, LoanPurpose.OTHER)
NOT_READY_TIMELINES = (Timeline.MONTHS_6_PLUS,)


class Phase:
    QUALIFYING = "qualifying"  # learning what routing needs
    OFFERED = "offered"  # handed to routing: the remaining questions while the offer waits
    WAITING = "waiting"  # with an officer, or all asked: answer, ask nothing


def phase_for(state: dict, *, with_officer: bool, routed: bool) -> str:
    """Where the conversation stands: `with_officer` once claimed, `routed` while qualified or
    offered (a hand-off of ours, or ops re-routing)."""
    ended, offered, done = state.get("ended"), state.get("offered"), state.get("done")
    if with_officer or done or ended == "handoff":
        return Phase.WAITING
    if ended == "qualified" or routed:
        return Phase.OFFERED if offered or not ended else Phase.WAITING
    return Phase.QUALIFYING


def new_state(*, asked: str | None = None, introduced: bool = True) -> dict:
    return {
        "asked": asked,  # the field our last text asked about
        "asks": {asked: 1} if asked else {},  # field -> times asked (never more than twice)
        "numbered": False,  # our last question listed numbered options
        "skipped": [],  # fields given up on
        "reconfirm": [],  # known fields to ask again (a borrower back from nurture)
        "pending": {},  # a yes/no we wait for: {"field", "value"} to confirm, or the officer offer
        "implied": {},  # field -> a value only implied ("I'm in Houston"), to confirm
        "held": {},  # a buyer's fact given before the purpose ("we're pre-approved"): kept till then
        "no_guess": [],  # fields whose guess the borrower turned down: ask them openly
        "last_answered": "",  # the yes/no field a bare yes or no answered last
        "introduced": introduced,
        "greeted": False,
        "ended": "",  # the ending this conversation reached, if any
        "offered": False,  # handed to routing while questions remained
        "done": False,  # nothing left to ask
        "officer_declined": False,  # said no to our offer of a loan officer: not offered again
    }


def with_defaults(state: dict) -> dict:
    """A state as any earlier version of the flow left it, with every key there."""
    state = dict(state or {})
    if not isinstance(state.get("pending"), dict):
        state["pending"] = {"field": "offer_officer"} if state.get("pending") == "offer_officer" else {}
    if not isinstance(state.get("no_guess"), list):
        state["no_guess"] = ["property_state"] if state.get("no_guess") else []
    for key, value in new_state().items():
        state.setdefault(key, value)
    return state


def initial_state(first_contact_body: str | None) -> dict:
    """Before the first reply: the first text's question counts as asked."""
    from conversations.qualification.texts import first_contact_questions

    if first_contact_body is None:
        return new_state(introduced=False)  # the borrower texted us first
    asked = next((f for q, f in first_contact_questions().items() if q in first_contact_body), None)
    return new_state(asked=asked)


def reentry_state(known: dict) -> dict:
    """A borrower back after a not-ready ending: confirm the timeline that ended it."""
    state = new_state()
    if known.get("timeline") in (*NOT_READY_TIMELINES, Timeline.UNSURE):
        state["reconfirm"] = ["timeline"]
    return state


def applies(field: str, purpose: str | None) -> bool:
    if field in PURCHASE_ONLY:
        return purpose == LoanPurpose.PURCHASE
    if field == "loan_type":
        return purpose not in NO_LOAN_TYPE
    return True


def relevant(updates: dict, known: dict) -> dict:
    """Drop answers that do not apply: a refinancer's "first time" is not a field of theirs."""
    purpose = updates.get("loan_purpose") or known.get("loan_purpose")
    if purpose is None:
        return dict(updates)
    return {f: v for f, v in updates.items() if applies(f, purpose)}


def missing_fields(known: dict, state: dict) -> list[str]:
    """What is left to ask, in order (fields to confirm again included)."""
    skipped, reconfirm = state.get("skipped", []), state.get("reconfirm", [])
    return [
        f
        for f in ORDER
        if applies(f, known.get("loan_purpose"))
        and f not in skipped
        and (known.get(f) is None or f in reconfirm)
    ]
