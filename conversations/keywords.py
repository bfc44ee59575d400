"""Opt-out, opt-in and help keywords, and plain-language revocations (FCC, April 2025)."""

import re
from enum import Enum

OPT_OUT_KEYWORDS = {
    "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE",
    "OPTOUT", "OPT OUT",
    # What Spanish-speaking borrowers text; carriers treat these as STOP too.
    "PARAR", "ALTO", "DETENER", "CANCELAR", "BAJA",
}  # fmt: skip
OPT_IN_KEYWORDS = {"START", "UNSTOP", "YES", "SUBSCRIBE", "OPT IN", "OPTIN"}
HELP_KEYWORDS = {"HELP", "INFO", "AYUDA"}

# "Any reasonable means" of revoking consent: phrases that say "stop texting me".
_TEXTING = r"(text(ing|s)?|messag(e|es|ing)|contact(ing)?|call(ing)?|sms|send(ing)?( me)?( messages| texts)?|bother(ing)?)"
REVOCATION_PATTERNS = [
    rf"\b(stop|quit|cease|no more)\s+{_TEXTING}",
    rf"\b(don'?t|do not|dont|never)\s+(ever\s+)?{_TEXTING}\s+(me|this number)",
    r"\b(remove|take)\s+(me|my (number|phone))\s+(off|from)\b",
    r"\b(unsubscribe|opt\s*-?\s*out|opt me out)\b",
    r"\blose my number\b",
    r"\bleave me alone\b",
    r"\bno (more )?(texts|messages)\b",
    r"\bno\s+me\s+(escrib\w*|mand\w*|envi\w*|env[ií]\w*|contact\w*|llam\w*)",
    r"\b(deja|dejen|dejar)\s+de\s+(escrib\w*|mand\w*|envi\w*|env[ií]\w*|contact\w*)",
    r"\b(b[oó]rr\w*|quit\w*)\s+(mi n[uú]mero|me de)\b",
]  # fmt: skip
_REVOCATION = re.compile("|".join(REVOCATION_PATTERNS), re.IGNORECASE)


class Keyword(Enum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"
    HELP = "help"


def normalize(text: str) -> str:
    """Upper case, punctuation dropped, runs of spaces folded: ' stop! ' -> 'STOP'."""
    return " ".join(re.sub(r"[^\w\s]", " ", text or "").upper().split())


def classify(text: str) -> Keyword | None:
    """What a whole message asks of us, if it is a keyword or a revocation."""
    word = normalize(text)
    if word in OPT_OUT_KEYWORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_KEYWORDS:
        return Keyword.OPT_IN
    if word in HELP_KEYWORDS:
        return Keyword.HELP
    if _REVOCATION.search(text or ""):
        return Keyword.OPT_OUT
    return None
