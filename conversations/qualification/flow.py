"""The order of questions and the flow's memory between turns (kept on each AgentTurn)."""

from leads.choices import LoanPurpose, Timeline

ORDER = (
    "loan_purpose",
    "timeline",
    "property_found",
    "has_agent",
    "preapproved",
    "first_time_buyer",
    "property_state",
    "loan_type",
    "credit",
)
PURCHASE_ONLY = ("property_found", "has_agent", "preapproved", "first_time_buyer")
# A home equity line or a construction loan has no conventional/FHA/VA choice to make.
NO_LOAN_TYPE = (LoanPurpose.HELOC, LoanPurpose.OTHER)
NOT_READY_TIMELINES = (Timeline.MONTHS_6_PLUS,)


def new_state(*, asked: str | None = None, introduced: bool = True) -> dict:
    return {
        "asked": asked,  # the field our last text asked about
        "numbered": False,  # ... with numbered options
        "misses": {},  # field -> answers we could not read
        "skipped": [],  # fields given up on (two misses, nothing to record)
        "reconfirm": [],  # known fields to ask again (a borrower back from nurture)
        "pending": "",  # a yes/no we wait for besides the question ("offer_officer")
        "no_guess": False,  # the borrower said the property is not in the inquiry's state
        "introduced": introduced,
        "ended": "",  # the ending this conversation reached, if any
    }


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


def next_field(known: dict, state: dict) -> str | None:
    for field in ORDER:
        if not applies(field, known.get("loan_purpose")) or field in state["skipped"]:
            continue
        if known.get(field) is None or field in state["reconfirm"]:
            return field
    return None


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


def ending_for(known: dict, state: dict) -> str | None:
    """not_ready as soon as the timeline says so; qualified when nothing is left to ask."""
    if known.get("timeline") in NOT_READY_TIMELINES and "timeline" not in state["reconfirm"]:
        return "not_ready"
    if next_field(known, state) is None:
        return "qualified"
    return None
