"""Phone numbers in, E.164 out, with phonenumbers (the port of Google's libphonenumber)."""

import phonenumbers

from mortgage_sms.errors import ApplicationError

# The US and the territories that share its numbering plan and its lending law.
ALLOWED_REGIONS = {"US", "PR", "GU", "VI", "AS", "MP"}


def normalize_phone(raw: str, *, field: str = "phone") -> str:
    """Return the number as E.164, or raise ApplicationError saying what is wrong with it."""
    text = (raw or "").strip()
    if not text:
        raise ApplicationError("A phone number is required.", field=field)
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        raise ApplicationError(f"{text!r} is not a phone number.", field=field) from None
    if number.extension:
        raise ApplicationError(f"{text!r} has an extension; texts need a direct mobile number.", field=field)
    if not phonenumbers.is_valid_number(number):
        raise ApplicationError(f"{text!r} is not a valid phone number.", field=field)
    if phonenumbers.region_code_for_number(number) not in ALLOWED_REGIONS:
        raise ApplicationError(f"{text!r} is not a US phone number.", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
