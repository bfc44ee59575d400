"""Numbers a borrower should never have texted are masked before they are stored (and so
before any LLM sees them): SSNs, account and card numbers, dates of birth."""

import re

# 123-45-6789, 123 45 6789, 123456789 (but not part of a longer number).
_SSN = re.compile(r"(?<!\d)(\d{3})[- .]?(\d{2})[- .]?(\d{4})(?!\d)")
# 10 to 17 digits, optionally grouped: account and card numbers.
_ACCOUNT = re.compile(r"(?<!\d)(?:\d[ -]?){9,16}\d(?!\d)")
_PHONE_LIKE = re.compile(r"^\+?1?[ -.(]*\d{3}[ -.)]*\d{3}[ -.]*\d{4}$")
# Shorter numbers count when the borrower says what they are: "acct # 4456 7781".
_LABELLED_ACCOUNT = re.compile(
    r"(?P<label>\b(?:acct|account|acc|routing|card|loan (?:number|no|#)|member (?:number|no|#)|cuenta|tarjeta)\b"
    r"[^\d\n]{0,15})(?P<number>\d(?:[ -]?\d){4,})",
    re.IGNORECASE,
)
_BIRTH_DATE = re.compile(
    r"(?P<label>\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born(?: on)?|birthday|fecha de nacimiento|naci(?: el)?)\b"
    r"[^\d\n]{0,10})(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4})",
    re.IGNORECASE,
)


def redact(text: str) -> tuple[str, bool]:
    """Return the text with SSN-, account- and birth-date-like numbers masked, and whether any were."""

    def mask_account(match: re.Match) -> str:
        if _PHONE_LIKE.match(match.group(0).strip()):
            return match.group(0)  # a phone number is fine to keep
        return "[REDACTED NUMBER]"

    redacted = _SSN.sub("[REDACTED SSN]", text)
    redacted = _ACCOUNT.sub(mask_account, redacted)
    redacted = _LABELLED_ACCOUNT.sub(lambda m: m.group("label") + "[REDACTED NUMBER]", redacted)
    redacted = _BIRTH_DATE.sub(lambda m: m.group("label") + "[REDACTED DATE]", redacted)
    return redacted, redacted != text
