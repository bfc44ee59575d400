"""Borrowers' phone numbers and texts stay out of logs and error e-mails.

Code logs ids, not numbers or message bodies; these are the safety net for what slips through
(a carrier's error that quotes the number, a traceback, a library's message): every log line
has its phone numbers masked, and error e-mails to ADMINS never carry POST values (a Twilio
webhook's Body and From, an officer's reply)."""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

# A US number as people and systems write it (+15125550100, 1-512-555-0100, (512) 555-0100,
# 512.555.0100, 5125550100), or any number in E.164 (+447911123456). Standing alone only, so ids
# and longer digit runs are left intact.
PHONE = re.compile(
    r"(?<![\w+-])"
    r"(?:(?:\+?1[\s.-]?)?(?:\([2-9]\d{2}\)\s?|[2-9]\d{2}[\s.-]?)[2-9]\d{2}[\s.-]?(?P<us>\d{4})"
    r"|\+\d{4,11}(?P<e164>\d{4}))"
    r"(?![\w-])"
)


def mask_phone_numbers(text: str) -> str:
    """Every phone number in `text` shown by its last four digits only: `***-***-0100`."""
    return PHONE.sub(lambda match: f"***-***-{match.group('us') or match.group('e164')}", text)


class MaskingFormatter(logging.Formatter):
    """Formats a record as usual, traceback included, then masks the phone numbers in it."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_phone_numbers(super().format(record))


class PrivacyExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports (the e-mails to ADMINS) show which POST fields came, never their values."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        return {name: self.cleansed_substitute for name in request.POST}
