"""What a borrower's text asks of their officer, read narrowly (the assistant reads the rest)."""

import re

# "can you call me", "call me after 5", "give me a call", "llámame", "prefer to talk on the phone"
_CALL_ME = re.compile(
    r"\b(call me|give me a (call|ring)|ring me|phone me|call back|call you|(talk|speak) (on|by|over) the phone"
    r"|rather (talk|speak)|hop on a call|jump on a call|quick call"
    r"|ll[aá]me(me|nme)?|ll[aá]mame|ll[aá]menme|una llamada)\b",
    re.IGNORECASE,
)
_NOT = re.compile(r"\b(don'?t|do not|never|stop|no)\s+(call|llam)", re.IGNORECASE)


def asks_for_call(text: str) -> bool:
    """The borrower asks to be called ("can you call me?"), not told not to be."""
    return bool(_CALL_ME.search(text or "")) and not _NOT.search(text or "")
