"""Re-engagement by CSV: aged leads from a file, each with its consent, into a cadence."""

import csv
import io
import itertools
import re
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from conversations import windows
from conversations.services import REENGAGEMENT_SUBMITTER
from leads import services as lead_services
from leads.choices import CLOSED_STATUSES, US_STATES, LoanPurpose, Source
from leads.models import Lead
from leads.phones import normalize_phone
from mortgage_sms import jobs
from mortgage_sms.errors import ApplicationError
from nurture.models import (
    Cadence,
    CadenceStep,
    Enrollment,
    EnrollmentState,
    ImportOutcome,
    ImportStatus,
    ReengagementImport,
    ReengagementImportRow,
)
from nurture.services import (
    cadence_text_errors,
    enrollment_refusal_note,
    enrollment_start,
    enrollments_start_new,
    reengagement_refusal,
)

REQUIRED_COLUMNS = ("phone", "sms_consent")
CONTACT_COLUMNS = ("first_name", "last_name", "email", "state", "zip_code")
CONSENT_YES = {"yes", "y", "true", "1", "x"}
MAX_ROWS = 10_000
ZIP_CODE = re.compile(r"^\d{5}(-\d{4})?$")
RUN_TASK = "nurture.tasks.reengagement_import_run"
# Rows per transaction: large enough that commits stop dominating, small enough that a slice
# redone after a lost worker is quick.
SLICE_ROWS = 250
DNC_LISTED = "on the do-not-contact list"


def read_rows(upload: BinaryIO) -> Iterator[dict]:
    """The file's rows with lower-case column names, read as they are needed (a file of
    10,000 rows is never held whole). The file is checked and its rows counted first, so an
    unusable file raises ApplicationError before anything is imported."""
    _check(upload)
    upload.seek(0)
    with _text(upload) as text:
        for row in csv.DictReader(text):
            yield {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def _check(upload: BinaryIO) -> int:
    """The number of rows, once the file is known to be usable."""
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
    return rows


@contextmanager
def _text(upload: BinaryIO) -> Iterator[io.TextIOWrapper]:
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    try:
        yield text
    finally:
        text.detach()  # closing the reader must not close the upload


def reengagement_import_queue(
    *,
    upload: BinaryIO,
    file_name: str,
    cadence: Cadence,
    actor: str,
    consent_text: str,
    start_now: bool = True,
) -> ReengagementImport:
    """Check the file and the cadence now (ApplicationError, nothing stored), keep the file and
    queue the job that imports it; the admin shows the job's progress and results."""
    _refuse_a_refused_cadence(cadence)
    total = _check(upload)
    upload.seek(0)
    with transaction.atomic():
        job = ReengagementImport.objects.create(
            file_name=file_name[:255],
            content=upload.read(),
            cadence=cadence,
            consent_text=consent_text,
            start_now=start_now,
            created_by=actor,
            total_rows=total,
        )
        jobs.enqueue(RUN_TASK, job.pk)
    return job


def _refuse_a_refused_cadence(cadence: Cadence) -> None:
    text_errors = cadence_text_errors(cadence)
    if text_errors:
        raise ApplicationError(
            f"The cadence '{cadence.name}' has texts the checker refuses; fix them first: {text_errors[0]}",
            field="cadence",
        )


def reengagement_import_run(*, job_id: int, budget_seconds: float | None = None) -> str:
    """Import the job's lines not done yet, a slice at a time, for about `budget_seconds` (below
    the worker's timeout); what is left is queued again. Safe to run twice, even at once: each
    slice locks the job and skips the lines already recorded."""
    budget = settings.REENGAGEMENT_IMPORT_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    started = time.monotonic()
    if not _start(job_id):
        return "nothing to do"
    job = ReengagementImport.objects.select_related("cadence").get(pk=job_id)
    try:
        for chunk in _slices(enumerate(read_rows(io.BytesIO(job.content)), start=2)):
            _import_slice(job, chunk)
            if time.monotonic() - started > budget:
                jobs.enqueue(RUN_TASK, job_id)
                return "continues in another task"
    except Exception as error:
        # Not a bad row (those are reported per line) but the file or a bug: ops see it on the
        # job's page, and the task fails loudly for the developers.
        why = error.message if isinstance(error, ApplicationError) else f"{type(error).__name__}: {error}"
        ReengagementImport.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, error=why, finished_at=timezone.now()
        )
        raise
    ReengagementImport.objects.filter(pk=job_id, status=ImportStatus.RUNNING).update(
        status=ImportStatus.DONE, finished_at=timezone.now()
    )
    return "done"


def _slices(rows: Iterator) -> Iterator[list]:
    while chunk := list(itertools.islice(rows, SLICE_ROWS)):
        yield chunk


def _start(job_id: int) -> bool:
    """Mark the job running (once); False when it is finished or gone."""
    now = timezone.now()
    ReengagementImport.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, started_at=now, heartbeat_at=now
    )
    return ReengagementImport.objects.filter(pk=job_id, status=ImportStatus.RUNNING).exists()


def _import_slice(job: ReengagementImport, chunk: list) -> None:
    """One transaction for the slice's leads, enrollments, results and counts: a worker that
    dies mid-slice leaves none of it, and the slice is done again."""
    with transaction.atomic():
        ReengagementImport.objects.select_for_update().filter(pk=job.pk).first()
        done = set(job.rows.filter(line__in=[line for line, _ in chunk]).values_list("line", flat=True))
        todo = [(line, row) for line, row in chunk if line not in done]
        if not todo:
            return
        results = _import_rows(job, todo)
        ReengagementImportRow.objects.bulk_create(results)
        counts = Counter(result.outcome for result in results)
        ReengagementImport.objects.filter(pk=job.pk).update(
            processed_rows=F("processed_rows") + len(results),
            enrolled=F("enrolled") + counts[ImportOutcome.ENROLLED],
            not_texted=F("not_texted") + counts[ImportOutcome.NOT_TEXTED],
            rejected=F("rejected") + counts[ImportOutcome.REJECTED],
            heartbeat_at=timezone.now(),
        )


def _import_rows(job: ReengagementImport, todo: list) -> list[ReengagementImportRow]:
    """The slice's rows, with what every row needs read once: the do-not-contact list, the
    contact rules, the open leads with these phones and their cadences, the first step. Phones
    new to us (most of an import) become leads and enrollments a few statements at a time."""
    parsed = [(line, row, _parse(row)) for line, row in todo]
    phones = [fields[0] for _, _, fields in parsed if isinstance(fields, tuple)]
    batch = _Batch(
        job=job,
        open_leads={
            lead.phone: lead
            for lead in Lead.objects.filter(phone__in=phones).exclude(status__in=CLOSED_STATUSES)
        },
        first_step=job.cadence.steps.order_by("position").first(),
    )
    batch.cadences = dict(
        Enrollment.objects.filter(
            lead__in=batch.open_leads.values(), state=EnrollmentState.ACTIVE
        ).values_list("lead_id", "cadence__name")
    )
    results, fresh, later, fresh_phones = [], [], [], set()
    with lead_services.dnc_snapshot(phones), windows.rules_snapshot():
        for line, row, fields in parsed:
            result = ReengagementImportRow(job=job, line=line, phone=row.get("phone", "")[:40])
            results.append(result)
            if isinstance(fields, str):
                result.outcome, result.detail = fields.split(":", 1)
            elif lead_services.dnc_listed(fields[0]):
                result.phone, result.outcome, result.detail = fields[0], ImportOutcome.NOT_TEXTED, DNC_LISTED
            elif fields[0] in batch.open_leads or fields[0] in fresh_phones:
                later.append((result, row, fields))  # a lead we have, or a phone again in the file
            else:
                fresh.append((result, row, fields))
                fresh_phones.add(fields[0])
        _import_new_phones(batch, fresh)
        for result, row, fields in later:
            _import_row(batch, row, fields, result)
    return results


@dataclass
class _Batch:
    job: ReengagementImport
    open_leads: dict  # phone: the open lead with it
    first_step: CadenceStep | None
    cadences: dict = field(default_factory=dict)  # lead id: the cadence it is active in


def _parse(row: dict) -> tuple | str:
    """(phone, contact, qualification), or 'outcome:why' for a row that goes no further."""
    if row.get("sms_consent", "").lower() not in CONSENT_YES:
        return f"{ImportOutcome.NOT_TEXTED}:no SMS consent in the file"
    try:
        return (normalize_phone(row.get("phone", "")), *_clean_fields(row))
    except ApplicationError as error:
        return f"{ImportOutcome.REJECTED}:{error.message}"


def _import_new_phones(batch: _Batch, fresh: list) -> None:
    """Rows whose phone has no open lead: the leads, then the enrollments, each in a few
    statements."""
    if not fresh:
        return
    try:
        intakes = lead_services.leads_intake_new(
            inquiries=[_intake_arguments(batch.job, row, fields) for _, row, fields in fresh]
        )
    except IntegrityError:
        # A form or the API opened a lead for one of these phones a moment ago: one by one.
        for result, row, fields in fresh:
            _import_row(batch, row, fields, result)
        return
    to_enroll = []
    for (result, _, _), intake in zip(fresh, intakes, strict=True):
        result.phone, result.lead = intake.lead.phone, intake.lead
        batch.open_leads[intake.lead.phone] = intake.lead
        refusal = reengagement_refusal(intake.lead, current_cadence=None)
        if refusal:
            result.outcome, result.detail = ImportOutcome.NOT_TEXTED, refusal
        else:
            to_enroll.append(result)
    job = batch.job
    enrolled = enrollments_start_new(
        leads=[result.lead for result in to_enroll],
        cadence=job.cadence,
        actor=job.created_by,
        first_step=batch.first_step,
        start_now=job.start_now,
    )
    for result in to_enroll:
        _record_enrollment(batch, result, enrolled=bool(enrolled))


def _record_enrollment(batch: _Batch, result: ReengagementImportRow, *, enrolled: bool) -> None:
    if not enrolled:
        result.outcome, result.detail = ImportOutcome.NOT_TEXTED, "the cadence is off or has no steps"
        return
    batch.cadences[result.lead.pk] = batch.job.cadence.name  # the same phone again further down
    result.outcome, result.detail = ImportOutcome.ENROLLED, str(result.lead)


def _intake_arguments(job: ReengagementImport, row: dict, fields: tuple) -> dict:
    phone, contact, qualification = fields
    return dict(
        phone=phone,
        submitted_by=REENGAGEMENT_SUBMITTER,
        source=Source.IMPORT,
        source_detail=f"Re-engagement import by {job.created_by}",
        contact=contact,
        qualification=qualification,
        sms_consent=True,
        consent_text=row.get("consent_text") or job.consent_text,
        external_id=row.get("external_id", "")[:100],
        payload=row,
    )


def _import_row(batch: _Batch, row: dict, fields: tuple, result: ReengagementImportRow) -> None:
    """One row whose phone we know (or that the bulk path could not take)."""
    phone, job = fields[0], batch.job
    result.phone = phone
    lead = batch.open_leads.get(phone)
    if lead is None or not lead.sms_consent:
        lead = lead_services.lead_intake(**_intake_arguments(job, row, fields)).lead
        batch.open_leads[phone] = lead
    result.lead = lead
    refusal = reengagement_refusal(lead, current_cadence=batch.cadences.get(lead.pk))
    enrollment_refusal_note(
        lead=lead, cadence=job.cadence, actor=job.created_by, reason=lead.marketing_block_reason()
    )
    if refusal:
        result.outcome, result.detail = ImportOutcome.NOT_TEXTED, refusal
        return
    enrollment = enrollment_start(
        lead=lead,
        cadence=job.cadence,
        actor=job.created_by,
        start_now=job.start_now,
        first_step=batch.first_step,
        lead_just_read=True,
    )
    _record_enrollment(batch, result, enrolled=enrollment is not None)


def reengagement_import_resume_lost(*, now: datetime | None = None) -> int:
    """Queue again the jobs whose task was lost (a broker that dropped it, a worker killed
    mid-slice): not finished and not heard from for JOBS_LOST_AFTER_SECONDS."""
    quiet_since = (now or timezone.now()) - timedelta(seconds=settings.JOBS_LOST_AFTER_SECONDS)
    lost = ReengagementImport.objects.filter(status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).filter(
        Q(heartbeat_at__lt=quiet_since) | Q(heartbeat_at__isnull=True, created_at__lt=quiet_since)
    )
    ids = list(lost.values_list("pk", flat=True))
    for job_id in ids:
        jobs.enqueue(RUN_TASK, job_id)
    return len(ids)


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
