"""Numbers a borrower should never have texted are masked before they are stored (and so
before any LLM sees them): SSNs, account and card numbers, dates of birth."""

import re
import unicodedata

# Between an SSN's groups: nothing, or spaces around at most one dash (any dash a phone's
# autocorrect makes), dot, slash or underscore: 123-45-6789, 123 - 45 - 6789, 123/45/6789.
_SSN_SEPARATOR = r"\s*[-\u2010-\u2015\u2212./_]?\s*"
# Three groups of 3, 2 and 4 digits, not part of a longer number.
_SSN = re.compile(
    rf"(?<!\d)\d{{3}}(?P<first>{_SSN_SEPARATOR})\d{{2}}(?P<second>{_SSN_SEPARATOR})\d{{4}}(?!\d)"
)
# 10 to 17 digits, optionally grouped: account and card numbers.
_ACCOUNT = re.compile(r"(?<!\d)(?:\d[ -]?){9,16}\d(?!\d)")
_PHONE_LIKE = re.compile(r"^\+?1?[ -.(]*\d{3}[ -.)]*\d{3}[ -.]*\d{4}$")
# Shorter numbers count when the borrower says what they are: "acct # 4456 7781", "loan #
# 4455667", "account ending in 4456", "mi numero de prestamo es 556677", "loan id HL-4456789".
_ACCOUNT_LABEL = (
    r"(?:acct|account|acc|a/c|routing|aba|card|member|policy|cuenta|tarjeta)\b"
    r"|(?:loan|prestamo|pr\u00e9stamo)\s*(?:#|(?:number|num|nbr|no|id|numero|n\u00famero)\b)"
    r"|(?:numero|n\u00famero)\s+de\s+(?:prestamo|pr\u00e9stamo|cuenta)\b"
)
_LABELLED_ACCOUNT = re.compile(
    rf"(?P<label>(?<!\w)(?:{_ACCOUNT_LABEL})[^\d\n]{{0,15}}?)(?P<number>\b[A-Za-z]{{0,4}}-?\d(?:[ -]?\d){{3,}}\w*)",
    re.IGNORECASE,
)
_BIRTH_DATE = re.compile(
    r"(?P<label>\b(?:dob|d\.o\.b\.?|date of birth|birth ?date|born(?: on)?|birthday|fecha de nacimiento|naci(?: el)?)\b"
    r"[^\d\n]{0,10})(?P<date>\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4})",
    re.IGNORECASE,
)


def redact(text: str) -> tuple[str, bool]:
    """Return the text (NFKC-normalised) with SSN-, account- and birth-date-like numbers masked,
    and whether any were."""

    def mask_account(match: re.Match) -> str:
        if _PHONE_LIKE.match(match.group(0).strip()):
            return match.group(0)  # a phone number is fine to keep
        return "[REDACTED NUMBER]"

    # NFKC first: full-width digits (U+FF10..) are digits a person reads as an SSN.
    text = unicodedata.normalize("NFKC", text)
    redacted = _SSN.sub(_mask_ssn, text)
    redacted = _ACCOUNT.sub(mask_account, redacted)
    redacted = _LABELLED_ACCOUNT.sub(lambda m: m.group("label") + "[REDACTED NUMBER]", redacted)
    redacted = _BIRTH_DATE.sub(lambda m: m.group("label") + "[REDACTED DATE]", redacted)
    return redacted, redacted != text


def _mask_ssn(match: re.Match) -> str:
    # 78701-1234 reads as 787 01-1234 too: five digits, a separator, four is a ZIP+4.
    if not match.group("first") and match.group("second"):
        return match.group(0)
    return "[REDACTED SSN]"
