"""What a reply asks, judged from its words alone (whichever backend wrote it)."""

import re

# What a question asks about, from its words: the question sentence, in either language.
ASKED_BY_WORDS = [
    ("preapproved", r"pre-?approv|preaprob"),
    ("has_agent", r"real estate agent|realtor|agente"),
    (
        "property_found",
        r"found a home|picked out a home|encontr[oó] una casa|eligi[oó] una casa|still (looking|shopping)",
    ),
    ("first_time_buyer", r"first home|primera casa|owned a home"),
    ("property_state", r"which state|what state|property in|home in|en qu[eé] estado|est[aá] en [A-Z]"),
    ("loan_type", r"loan type|conventional|convencional|VA loan|pr[eé]stamo VA"),
    ("credit", r"credit|cr[eé]dito"),
    ("timeline", r"when|cu[aá]ndo|30 days|30 d[ií]as"),
    ("loan_purpose", r"buy a home or|to buy a home|comprar una casa o|refinance one|refinanciar la suya"),
]


def asked_field(reply: str) -> str | None:
    """The field a reply's question is about, judged from its last question."""
    questions = re.findall(r"[^.?!]*\?", reply)
    if not questions:
        return None
    last = questions[-1]
    for name, pattern in ASKED_BY_WORDS:
        if re.search(pattern, last, re.IGNORECASE):
            return name
    return None
