"""Numbers a borrower should never have texted are masked before they are stored."""

import re

# 123-45-6789, 123 45 6789, 123456789 (but not part of a longer number).
_SSN = re.compile(r"(?<!\d)(\d{3})[- .]?(\d{2})[- .]?(\d{4})(?!\d)")
# 10 to 17 digits, optionally grouped: account and card numbers.
_ACCOUNT = re.compile(r"(?<!\d)(?:\d[ -]?){9,16}\d(?!\d)")
_PHONE_LIKE = re.compile(r"^\+?1?[ -.(]*\d{3}[ -.)]*\d{3}[ -.]*\d{4}$")


def redact(text: str) -> tuple[str, bool]:
    """Return the text with SSN- and account-like numbers masked, and whether any were."""

    def mask_account(match: re.Match) -> str:
        if _PHONE_LIKE.match(match.group(0).strip()):
            return match.group(0)  # a phone number is fine to keep
        return "[REDACTED NUMBER]"

    redacted = _SSN.sub("[REDACTED SSN]", text)
    redacted = _ACCOUNT.sub(mask_account, redacted)
    return redacted, redacted != text
