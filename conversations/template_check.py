"""The checker every automated-text editor runs at save time: the first text, nurture steps,
re-engagement cadences and A/B variants. Officers' own texts are not checked: they are licensed
and talk one to one.

Refused: Reg Z trigger terms (conversations.regz), rate figures and the other content rules of
the assistant's guardrails, a missing NMLS ID or company name where the text is the first a
borrower gets from us, and texts longer than MAX_SEGMENTS. Reported: the encoding and SMS
segments of the text as the borrower gets it (GSM-7: 160 characters, 153 a segment when
split; UCS-2, forced by one character outside GSM-7 such as a curly apostrophe: 70, or 67)."""

import re
from dataclasses import dataclass, field

import gsm0338  # noqa: F401  (registers the "gsm03.38" codec)

from conversations import regz
from conversations.qualification import guardrails

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
MAX_SEGMENTS = 3
# Words that tell the borrower how to stop, in the languages we send.
_OPT_OUT_WORDS = re.compile(r"\b(?:STOP|PARAR|BAJA)\b")
_NMLS = re.compile(r"\bNMLS\b", re.IGNORECASE)
GUARDRAIL_MESSAGES = {
    "rate_quote": "It quotes a rate, APR or payment figure.",
    "approval_promise": "It promises approval.",
    "credit_score_promise": "It promises a loan for a credit score.",
    "sensitive_number": "It asks for an SSN, account number or date of birth.",
    "protected_characteristic": "It asks about a protected characteristic (fair lending).",
    "prompt_leak": "It contains the assistant's internal words.",
}


@dataclass(frozen=True)
class Segments:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets (GSM-7; escaped characters count twice) or UTF-16 code units
    segments: int
    non_gsm: str  # the characters that force UCS-2, once each

    def describe(self) -> str:
        why = f" because of {', '.join(repr(c) for c in self.non_gsm)}" if self.non_gsm else ""
        return f"{self.segments} SMS segment(s), {self.encoding}{why} ({self.units} units)"


def segments(text: str) -> Segments:
    """How many SMS segments a carrier bills for this text."""
    try:
        units = len(text.encode("gsm03.38"))
    except UnicodeEncodeError:
        units = len(text.encode("utf-16-le")) // 2
        non_gsm = "".join(dict.fromkeys(c for c in text if not _is_gsm(c)))
        return Segments("UCS-2", units, _count(units, UCS2_SINGLE, UCS2_PART), non_gsm)
    return Segments("GSM-7", units, _count(units, GSM_SINGLE, GSM_PART), "")


def _is_gsm(char: str) -> bool:
    try:
        char.encode("gsm03.38")
    except UnicodeEncodeError:
        return False
    return True


def _count(units: int, single: int, part: int) -> int:
    if units <= single:
        return 1 if units else 0
    return -(-units // part)


@dataclass
class TemplateReport:
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    segments: Segments | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def check_text(
    text: str,
    *,
    opt_out_line: str = "",
    needs_identity: bool = False,
    company: str = "",
) -> TemplateReport:
    """Check a text as the borrower gets it (placeholders already filled in).

    opt_out_line: the line send_sms appends when the text says nothing about STOP (counted in
    the segments). needs_identity: the first text a borrower gets from us must name the
    company and carry its NMLS ID."""
    report = TemplateReport()
    final = text if not opt_out_line or _OPT_OUT_WORDS.search(text) else f"{text} {opt_out_line}"
    if opt_out_line and final != text:
        report.notes.append(f"The opt-out line is added when sent: {opt_out_line!r}.")
    terms = regz.trigger_terms(text)
    if terms:
        report.errors.append(
            f"It states a Reg Z trigger term ({regz.describe(terms)}): an ad that does must also give the "
            "APR and full terms (12 CFR 1026.24(d)). Leave figures to a licensed loan officer."
        )
    rule = guardrails.content_violation(text)
    if rule:
        report.errors.append(GUARDRAIL_MESSAGES.get(rule, f"It breaks the rule {rule}."))
    if needs_identity:
        report.errors += _identity_errors(text, company)
    report.segments = segments(final)
    if report.segments.segments > MAX_SEGMENTS:
        report.errors.append(f"It is {report.segments.describe()}; keep it to {MAX_SEGMENTS} at most.")
    return report


def _identity_errors(text: str, company: str) -> list[str]:
    errors = []
    if company and company.lower() not in text.lower():
        errors.append("The first text a borrower gets must name the company ({company}).")
    if not _NMLS.search(text):
        errors.append("The first text a borrower gets must carry the company's NMLS ID ({company_nmls}).")
    return errors
