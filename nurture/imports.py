"""Re-engagement by CSV: aged leads from a file, each with its consent, into a cadence."""

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from conversations.services import REENGAGEMENT_SUBMITTER
from leads import services as lead_services
from leads.choices import CLOSED_STATUSES, US_STATES, LoanPurpose, Source
from leads.models import Lead
from leads.phones import normalize_phone
from mortgage_sms.errors import ApplicationError
from nurture.models import Cadence
from nurture.services import cadence_text_errors, enrollment_start, reengagement_refusal

REQUIRED_COLUMNS = ("phone", "sms_consent")
CONTACT_COLUMNS = ("first_name", "last_name", "email", "state", "zip_code")
CONSENT_YES = {"yes", "y", "true", "1", "x"}
MAX_ROWS = 10_000
ZIP_CODE = re.compile(r"^\d{5}(-\d{4})?$")


class Outcome:
    ENROLLED = "enrolled"
    NOT_TEXTED = "not texted"
    REJECTED = "rejected"


@dataclass(frozen=True)
class RowResult:
    line: int
    phone: str
    outcome: str
    detail: str = ""


@dataclass
class ImportReport:
    rows: list[RowResult] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def enrolled_count(self) -> int:
        return self.count(Outcome.ENROLLED)

    @property
    def not_texted_count(self) -> int:
        return self.count(Outcome.NOT_TEXTED)

    @property
    def rejected_count(self) -> int:
        return self.count(Outcome.REJECTED)


def read_rows(upload: BinaryIO) -> Iterator[dict]:
    """The file's rows with lower-case column names, read as they are needed (a file of
    10,000 rows is never held whole). The file is checked and its rows counted first, so an
    unusable file raises ApplicationError before anything is imported."""
    _check(upload)
    upload.seek(0)
    with _text(upload) as text:
        for row in csv.DictReader(text):
            yield {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def _check(upload: BinaryIO) -> None:
    upload.seek(0)
    with _text(upload) as text:
        try:
            reader = csv.reader(text)
            columns = {c.strip().lower() for c in next(reader, [])}
            rows = sum(1 for _ in reader)
        except UnicodeDecodeError:
            raise ApplicationError("Save the file as CSV in UTF-8.", field="file") from None
        except csv.Error as error:
            raise ApplicationError(f"This is not a readable CSV file ({error}).", field="file") from None
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ApplicationError(
            f"The file needs the column(s) {', '.join(missing)} (consent is required: "
            "rows without it are reported, not texted).",
            field="file",
        )
    if rows > MAX_ROWS:
        raise ApplicationError(f"At most {MAX_ROWS} rows per file; split it.", field="file")


@contextmanager
def _text(upload: BinaryIO) -> Iterator[io.TextIOWrapper]:
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    try:
        yield text
    finally:
        text.detach()  # closing the reader must not close the upload


def reengagement_import(
    *, upload: BinaryIO, cadence: Cadence, actor: str, consent_text: str, start_now: bool = True
) -> ImportReport:
    """Enroll each consenting row's lead (new leads through lead_intake) in the cadence.
    Safe to run twice: the second time every lead is reported as already enrolled."""
    text_errors = cadence_text_errors(cadence)
    if text_errors:
        raise ApplicationError(
            f"The cadence '{cadence.name}' has texts the checker refuses; fix them first: {text_errors[0]}",
            field="cadence",
        )
    report = ImportReport()
    for line, row in enumerate(read_rows(upload), start=2):
        with transaction.atomic():
            report.rows.append(_import_row(line, row, cadence, actor, consent_text, start_now))
    return report


def _import_row(line: int, row: dict, cadence: Cadence, actor: str, consent_text: str, start_now: bool):
    phone = row.get("phone", "")
    if row.get("sms_consent", "").lower() not in CONSENT_YES:
        return RowResult(line, phone, Outcome.NOT_TEXTED, "no SMS consent in the file")
    try:
        phone = normalize_phone(phone)
        contact, qualification = _clean_fields(row)
    except ApplicationError as error:
        return RowResult(line, phone, Outcome.REJECTED, error.message)
    if lead_services.dnc_listed(phone):
        return RowResult(line, phone, Outcome.NOT_TEXTED, "on the do-not-contact list")
    lead = Lead.objects.filter(phone=phone).exclude(status__in=CLOSED_STATUSES).first()
    if lead is None or not lead.sms_consent:
        lead = lead_services.lead_intake(
            phone=phone,
            submitted_by=REENGAGEMENT_SUBMITTER,
            source=Source.IMPORT,
            source_detail=f"Re-engagement import by {actor}",
            contact=contact,
            qualification=qualification,
            sms_consent=True,
            consent_text=row.get("consent_text") or consent_text,
            external_id=row.get("external_id", "")[:100],
            payload=row,
        ).lead
    refusal = reengagement_refusal(lead)
    if refusal:
        return RowResult(line, phone, Outcome.NOT_TEXTED, refusal)
    if enrollment_start(lead=lead, cadence=cadence, actor=actor, start_now=start_now) is None:
        return RowResult(line, phone, Outcome.NOT_TEXTED, "the cadence is off or has no steps")
    return RowResult(line, phone, Outcome.ENROLLED, str(lead))


def _clean_fields(row: dict) -> tuple[dict, dict]:
    contact = {c: row.get(c, "") for c in CONTACT_COLUMNS}
    contact["first_name"], contact["last_name"] = contact["first_name"][:80], contact["last_name"][:80]
    contact["state"] = contact["state"].upper()
    if contact["state"] and contact["state"] not in US_STATES:
        raise ApplicationError(f"{contact['state']!r} is not a two-letter US state code.")
    if contact["zip_code"] and not ZIP_CODE.match(contact["zip_code"]):
        raise ApplicationError(f"{contact['zip_code']!r} is not a ZIP code.")
    if contact["email"]:
        try:
            validate_email(contact["email"])
        except ValidationError:
            raise ApplicationError(f"{contact['email']!r} is not an email address.") from None
    purpose = row.get("loan_purpose", "").lower()
    if purpose and purpose not in LoanPurpose.values:
        raise ApplicationError(f"{purpose!r} is not a loan purpose ({', '.join(LoanPurpose.values)}).")
    return contact, ({"loan_purpose": purpose} if purpose else {})
