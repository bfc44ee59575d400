"""Every write to a lead goes through here, and every change leaves a LeadEvent."""

import csv
import dataclasses
import io
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from leads import signals
from leads.choices import CLOSED_STATUSES, QUALIFICATION_FIELDS, ConsentScope, LeadStatus
from leads.models import DoNotContactNumber, Inquiry, Lead, LeadEvent
from leads.phones import normalize_phone
from mortgage_sms import bulk, rows
from mortgage_sms.errors import ApplicationError

CONTACT_FIELDS = ("first_name", "last_name", "email", "state", "zip_code")
# What a web form can prove about the borrower's agreement, beyond the words and the time.
CONSENT_EVIDENCE_FIELDS = (
    "consent_ip", "consent_user_agent", "consent_page_url", "trustedform_cert_url", "jornaya_leadid",
)  # fmt: skip
NOT_TEXTED_REASONS = {
    "no_consent": "No SMS consent on the inquiry: stored, never texted.",
    "no_consent_text": "Consent given without the disclosure text the borrower agreed to: stored, "
    "not texted. Send consent_text (or switch REQUIRE_CONSENT_TEXT off).",
}
# Statuses a person leaves only through their own service (opt-in, a CRM lifting the block).
STICKY_STATUSES = (LeadStatus.OPTED_OUT, LeadStatus.DO_NOT_CONTACT)


@dataclass(frozen=True)
class IntakeResult:
    lead: Lead
    inquiry: Inquiry
    created: bool


def lead_event_record(
    *, lead: Lead, type: str, actor: str = "system", description: str = "", data: dict | None = None
) -> LeadEvent:
    # Written on nearly every step of a lead's life: SQL built once (mortgage_sms.rows).
    return rows.insert(LeadEvent(lead=lead, type=type, actor=actor, description=description, data=data or {}))


def lead_intake(
    *,
    phone: str,
    submitted_by: str,
    source: str = "web",
    contact: dict | None = None,
    qualification: dict | None = None,
    sms_consent: bool = False,
    consent_text: str = "",
    consent_evidence: dict | None = None,
    consent_scope: str = ConsentScope.WRITTEN,
    source_detail: str = "",
    external_id: str = "",
    payload: dict | None = None,
) -> IntakeResult:
    """Store an inquiry: a new lead, or appended to the open lead with the same phone.

    consent_evidence: consent_at (when the borrower agreed; default now) and any of
    CONSENT_EVIDENCE_FIELDS.
    consent_scope: CONVERSATION when the only consent is the borrower texting us first."""
    values = _intake_values(
        phone=phone,
        submitted_by=submitted_by,
        source=source,
        contact=contact,
        qualification=qualification,
        sms_consent=sms_consent,
        consent_text=consent_text,
        consent_evidence=consent_evidence,
        consent_scope=consent_scope,
        source_detail=source_detail,
        external_id=external_id,
        payload=payload,
    )
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _intake_once(**values)
        except IntegrityError:
            # Another request opened a lead for this phone a moment ago: append to it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _intake_values(
    *,
    phone,
    submitted_by,
    source="web",
    contact=None,
    qualification=None,
    sms_consent=False,
    consent_text="",
    consent_evidence=None,
    consent_scope=ConsentScope.WRITTEN,
    source_detail="",
    external_id="",
    payload=None,
) -> dict:
    evidence = {k: v for k, v in (consent_evidence or {}).items() if v not in (None, "")}
    inquiry_fields = dict(
        source=source,
        source_detail=source_detail,
        external_id=external_id,
        submitted_by=submitted_by,
        sms_consent=sms_consent,
        consent_text=consent_text,
        consent_at=evidence.pop("consent_at", None) or (timezone.now() if sms_consent else None),
        consent_scope=consent_scope,
        **evidence,
        payload=payload or {},
    )
    return dict(
        phone=normalize_phone(phone),
        contact={k: v for k, v in (contact or {}).items() if v not in (None, "")},
        qualification={k: v for k, v in (qualification or {}).items() if v is not None},
        inquiry_fields=inquiry_fields,
    )


def leads_intake_new(*, inquiries: list[dict]) -> list[IntakeResult]:
    """lead_intake for many phones without an open lead (an import), in three statements
    instead of several per lead; each dict holds lead_intake's arguments. The signals go out per
    lead, as lead_intake's do. A phone that has an open lead by now raises IntegrityError and
    nothing is stored: the caller takes those rows one by one."""
    values = [_intake_values(**inquiry) for inquiry in inquiries]
    leads = [_new_lead(**value) for value in values]
    with transaction.atomic():
        Lead.objects.bulk_create(leads)
        made = Inquiry.objects.bulk_create(
            [Inquiry(lead=lead, **value["inquiry_fields"]) for lead, value in zip(leads, values, strict=True)]
        )
        LeadEvent.objects.bulk_create(
            [
                event
                for lead, inquiry in zip(leads, made, strict=True)
                for event in _creation_events(lead, inquiry)
            ]
        )
    for lead, inquiry in zip(leads, made, strict=True):
        signals.lead_created.send(sender=Lead, lead=lead, inquiry=inquiry)
    return [
        IntakeResult(lead=lead, inquiry=inquiry, created=True)
        for lead, inquiry in zip(leads, made, strict=True)
    ]


def _intake_once(*, phone, contact, qualification, inquiry_fields) -> IntakeResult:
    open_lead = _open_lead_locked(phone)
    if open_lead is None:
        return _open_lead(phone, contact, qualification, inquiry_fields)
    return _append_inquiry(Lead.objects.get(pk=open_lead), contact, qualification, inquiry_fields)


def _open_lead_locked(phone: str):
    """The id of the open lead with this phone, locked FOR UPDATE (where the database has row
    locks) until the intake commits; None when there is none, as for most inquiries."""
    # Plain SQL: the ORM's building of this statement (an exclusion, the order, the lock) cost
    # more than the rest of it. The id only: a repeat reads its lead next.
    closed = ", ".join(["%s"] * len(CLOSED_STATUSES))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {Lead._meta.db_table} WHERE phone = %s AND status NOT IN ({closed})"
            f" ORDER BY id LIMIT 1{lock}",
            [phone, *CLOSED_STATUSES],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _open_lead(phone, contact, qualification, inquiry_fields) -> IntakeResult:
    # Every new lead's three inserts, as SQL built once (mortgage_sms/rows.py): the ORM's
    # compiling of them cost several times the statements. Its timeline entries in one INSERT.
    lead = rows.insert(_new_lead(phone, contact, qualification, inquiry_fields))
    inquiry = rows.insert(Inquiry(lead=lead, **inquiry_fields))
    rows.insert_all(_creation_events(lead, inquiry))
    signals.lead_created.send(sender=Lead, lead=lead, inquiry=inquiry)
    return IntakeResult(lead=lead, inquiry=inquiry, created=True)


def _new_lead(phone, contact, qualification, inquiry_fields) -> Lead:
    """The lead an inquiry opens, not saved yet."""
    lead = Lead(
        phone=phone,
        source=inquiry_fields["source"],
        source_detail=inquiry_fields["source_detail"],
        external_id=inquiry_fields["external_id"],
        **contact,
        **qualification,
    )
    _apply_consent(lead, inquiry_fields)
    lead.temperature = lead.derive_temperature()
    return lead


def _creation_events(lead: Lead, inquiry: Inquiry) -> list[LeadEvent]:
    """A new lead's first timeline entries, not saved yet."""
    events = [
        LeadEvent(
            lead=lead,
            type="lead_created",
            actor=inquiry.submitted_by,
            description=f"New {lead.get_source_display()} inquiry.",
            data={"inquiry_id": inquiry.pk, "sms_consent": lead.sms_consent},
        )
    ]
    reason = lead.contact_block_reason()
    if reason in NOT_TEXTED_REASONS:
        events.append(
            LeadEvent(
                lead=lead,
                type="not_contacted",
                actor="system",
                description=NOT_TEXTED_REASONS[reason],
                data={"reason": reason},
            )
        )
    elif not lead.consent_text.strip():
        events.append(
            LeadEvent(
                lead=lead,
                type="consent_text_missing",
                actor="system",
                description="Consent given without the consent language: ask the source to send it.",
                data={},
            )
        )
    return events


def _append_inquiry(lead, contact, qualification, inquiry_fields) -> IntakeResult:
    changed = [f for f, v in contact.items() if not getattr(lead, f)]
    for field in changed:
        setattr(lead, field, contact[field])
    # New consent, the disclosure text that was missing from the first one, or a form's written
    # consent for a borrower who had only texted us.
    upgraded = _consent_upgraded(lead, inquiry_fields)
    consent_granted = inquiry_fields["sms_consent"] and (
        not lead.sms_consent
        or (not lead.consent_text.strip() and inquiry_fields["consent_text"].strip())
        or upgraded
    )
    if consent_granted:
        _apply_consent(lead, inquiry_fields)
        changed += [
            "sms_consent", "consent_text", "consent_at", "consent_source", "consent_scope",
            *CONSENT_EVIDENCE_FIELDS,
        ]  # fmt: skip
    if changed:
        lead.save(update_fields=[*changed, "updated_at"])
    inquiry = Inquiry.objects.create(lead=lead, **inquiry_fields)
    lead_event_record(
        lead=lead,
        type="inquiry_appended",
        actor=inquiry_fields["submitted_by"],
        description="Another inquiry from the same phone, added to this lead.",
        data={"inquiry_id": inquiry.pk, "filled_in": changed},
    )
    if upgraded:
        lead_event_record(
            lead=lead,
            type="consent_upgraded",
            actor=inquiry_fields["submitted_by"],
            description="Prior express written consent on a form: the borrower, who had only texted "
            "us, may now get nurture texts too.",
            data={"inquiry_id": inquiry.pk, "consent_scope": ConsentScope.WRITTEN},
        )
    if qualification:
        lead_update_qualification(lead=lead, changes=qualification, actor=inquiry_fields["submitted_by"])
    signals.inquiry_appended.send(sender=Lead, lead=lead, inquiry=inquiry)
    return IntakeResult(lead=lead, inquiry=inquiry, created=False)


def _consent_upgraded(lead: Lead, inquiry_fields: dict) -> bool:
    """A form's written consent, with its disclosure, for a lead whose consent was a text."""
    return (
        lead.sms_consent
        and lead.consent_scope == ConsentScope.CONVERSATION
        and inquiry_fields["sms_consent"]
        and inquiry_fields["consent_scope"] == ConsentScope.WRITTEN
        and bool(inquiry_fields["consent_text"].strip())
    )


def _apply_consent(lead: Lead, inquiry_fields: dict) -> None:
    if not inquiry_fields["sms_consent"]:
        return
    lead.sms_consent = True
    lead.consent_scope = inquiry_fields["consent_scope"]
    lead.consent_text = inquiry_fields["consent_text"]
    lead.consent_at = inquiry_fields["consent_at"]
    lead.consent_source = f"{inquiry_fields['source']} inquiry via {inquiry_fields['submitted_by']}"
    for field in CONSENT_EVIDENCE_FIELDS:
        setattr(lead, field, inquiry_fields.get(field) or Lead._meta.get_field(field).get_default())


def lead_update_qualification(*, lead: Lead, changes: dict, actor: str) -> dict:
    """Set qualification fields; returns {field: [old, new]} of what really changed."""
    unknown = set(changes) - set(QUALIFICATION_FIELDS)
    if unknown:
        raise ApplicationError(f"Not qualification fields: {', '.join(sorted(unknown))}.")
    diff = {f: [getattr(lead, f), v] for f, v in changes.items() if getattr(lead, f) != v}
    if not diff:
        return {}
    for field, (_, new) in diff.items():
        setattr(lead, field, new)
    old_temperature, lead.temperature = lead.temperature, lead.derive_temperature()
    fields = [*diff, "updated_at"]
    if lead.temperature != old_temperature:
        diff["temperature"] = [old_temperature, lead.temperature]
        fields.append("temperature")
    lead.save(update_fields=fields)
    lead_event_record(
        lead=lead,
        type="qualification_updated",
        actor=actor,
        description=", ".join(f"{f}: {new}" for f, (_, new) in diff.items()),
        data={"changes": diff},
    )
    signals.lead_qualification_changed.send(sender=Lead, lead=lead, changes=diff, actor=actor)
    return diff


def lead_update_contact(*, lead: Lead, changes: dict, actor: str) -> list[str]:
    """Correct names, email, state or ZIP; returns the fields that changed."""
    changed = [f for f, v in changes.items() if f in CONTACT_FIELDS and getattr(lead, f) != v]
    for field in changed:
        setattr(lead, field, changes[field])
    if changed:
        lead.save(update_fields=[*changed, "updated_at"])
        lead_event_record(lead=lead, type="contact_updated", actor=actor, data={"fields": changed})
        signals.lead_updated.send(sender=Lead, lead=lead, fields=changed, actor=actor)
    return changed


def can_transition(old: str, new: str) -> bool:
    """Closed leads stay closed (won and lost may be corrected into each other); opted-out
    and do-not-contact leads leave only through their own services."""
    if old in STICKY_STATUSES:
        return False
    if old in (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST):
        return new in (LeadStatus.CLOSED_WON, LeadStatus.CLOSED_LOST)
    return True


def lead_set_status(
    *,
    lead: Lead,
    status: str,
    actor: str,
    reason: str = "",
    data: dict | None = None,
    lead_locked: bool = False,
) -> bool:
    """Move the lead to `status`; returns False (and changes nothing) if it already is.

    lead_locked: the caller read `lead` FOR UPDATE in its transaction, so its status is current."""
    if status not in LeadStatus.values:
        raise ApplicationError(f"{status!r} is not a lead status.", field="status")
    if status in STICKY_STATUSES:
        raise ApplicationError(f"Use the {status} service, which records why.", field="status")
    # A caller that locked the lead is in its own transaction, and lets any error end it: no
    # savepoint (two statements) to roll back to.
    with transaction.atomic(savepoint=not lead_locked):
        return _transition(lead, status, actor=actor, reason=reason, data=data, lead_locked=lead_locked)


def _transition(
    lead: Lead, status: str, *, actor: str, reason: str, data: dict | None = None, lead_locked: bool = False
) -> bool:
    # Locked: an assistant concluding `qualified` must not overwrite a STOP or a CRM's
    # `closed_lost` committed a moment earlier; it sees that status and is refused.
    if lead_locked:
        old = lead.status
    else:
        old = Lead.objects.select_for_update().values_list("status", flat=True).get(pk=lead.pk)
    lead.status = old
    if old == status:
        return False
    if not can_transition(old, status):
        raise ApplicationError(f"A lead that is {old} cannot become {status}.", field="status", status=409)
    lead.status, lead.updated_at = status, timezone.now()
    rows.update(Lead, {"status": status, "updated_at": lead.updated_at}, pk=lead.pk)
    lead_event_record(
        lead=lead,
        type="status_changed",
        actor=actor,
        description=reason or f"{old} -> {status}",
        data={"from": old, "to": status, **(data or {})},
    )
    signals.lead_status_changed.send(sender=Lead, lead=lead, old_status=old, new_status=status, actor=actor)
    return True


@transaction.atomic
def lead_opt_out(*, lead: Lead, words: str, actor: str = "borrower", channel: str = "sms") -> bool:
    """The borrower revoked consent (by text, or by phone, e-mail or in person, recorded by
    staff: `channel`). Returns False if they already had."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.opted_out_at:
        return False
    previous = lead.status
    lead.opted_out_at = timezone.now()
    lead.status = LeadStatus.OPTED_OUT
    lead.save(update_fields=["opted_out_at", "status", "updated_at"])
    lead_event_record(
        lead=lead,
        type="opted_out",
        actor=actor,
        description=f"Opted out ({channel}): {words!r}",
        data={"words": words, "channel": channel, "previous_status": previous},
    )
    signals.lead_status_changed.send(
        sender=Lead, lead=lead, old_status=previous, new_status=LeadStatus.OPTED_OUT, actor=actor
    )
    signals.lead_opted_out.send(sender=Lead, lead=lead, words=words, actor=actor)
    return True


@transaction.atomic
def lead_opt_in(*, lead: Lead, words: str, actor: str = "borrower") -> bool:
    """The borrower texted START (or the like). Returns False if they were not opted out."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if not lead.opted_out_at:
        return False
    last_opt_out = lead.events.filter(type="opted_out").order_by("-created_at").first()
    previous = (last_opt_out.data.get("previous_status") if last_opt_out else None) or "contacted"
    if lead.do_not_contact:
        previous = LeadStatus.DO_NOT_CONTACT  # the lender's block outlives the borrower's START
    elif previous in STICKY_STATUSES:
        previous = LeadStatus.CONTACTED
    lead.opted_out_at = None
    lead.status = previous
    fields = ["opted_out_at", "status", "updated_at"]
    if not lead.sms_consent:
        # Texting START to our number is an express request for our texts.
        lead.sms_consent, lead.consent_at = True, timezone.now()
        lead.consent_text, lead.consent_source = words, "sms keyword"
        fields += ["sms_consent", "consent_at", "consent_text", "consent_source"]
    lead.save(update_fields=fields)
    lead_event_record(
        lead=lead,
        type="opted_in",
        actor=actor,
        description=f"Opted back in: {words!r}",
        data={"words": words, "status": previous},
    )
    signals.lead_status_changed.send(
        sender=Lead, lead=lead, old_status=LeadStatus.OPTED_OUT, new_status=previous, actor=actor
    )
    signals.lead_opted_in.send(sender=Lead, lead=lead, words=words, actor=actor)
    return True


@transaction.atomic
def lead_mark_do_not_contact(*, lead: Lead, actor: str, reason: str = "") -> bool:
    """Stop all texting at once (a CRM's or an operator's decision)."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.do_not_contact:
        return False
    previous = lead.status
    lead.do_not_contact = True
    lead.status = LeadStatus.DO_NOT_CONTACT
    lead.save(update_fields=["do_not_contact", "status", "updated_at"])
    lead_event_record(
        lead=lead,
        type="do_not_contact",
        actor=actor,
        description=reason or "Marked do-not-contact.",
        data={"previous_status": previous},
    )
    signals.lead_status_changed.send(
        sender=Lead, lead=lead, old_status=previous, new_status=LeadStatus.DO_NOT_CONTACT, actor=actor
    )
    return True


def lead_record_outbound(*, lead_id, at: datetime) -> None:
    """Note that a text went out; the first one is the lead's first contact."""
    # updated_at moves too: a CRM syncing with `updated_since` must see first_contact_at appear.
    rows.update(
        Lead,
        {"first_contact_at": at, "last_outbound_at": at, "updated_at": timezone.now()},
        keep_if_set=("first_contact_at",),
        pk=lead_id,
    )


def lead_record_inbound(*, lead_id, at: datetime) -> None:
    Lead.objects.filter(pk=lead_id).update(last_inbound_at=at, updated_at=at)


def lead_set_language(*, lead: Lead, language: str) -> None:
    if lead.language != language:
        lead.language = language
        lead.save(update_fields=["language", "updated_at"])
        lead_event_record(lead=lead, type="language_changed", data={"language": language})


def lead_events_record(*, events: list[dict]) -> None:
    """lead_event_record for many (each dict its arguments), in one statement."""
    LeadEvent.objects.bulk_create(
        [
            LeadEvent(
                lead=event["lead"],
                type=event["type"],
                actor=event.get("actor", "system"),
                description=event.get("description", ""),
                data=event.get("data") or {},
            )
            for event in events
        ]
    )


def lead_set_nurture(*, lead_id, cadence: str, next_touch_at: datetime | None) -> None:
    """Written by the nurture app so the lead's API view shows the next touch."""
    rows.update(
        Lead,
        {"nurture_cadence": cadence, "next_touch_at": next_touch_at, "updated_at": timezone.now()},
        pk=lead_id,
    )


def leads_set_nurture(*, changes: dict) -> None:
    """lead_set_nurture for a batch: {lead id: (cadence, next_touch_at)}, in one statement."""
    if not changes:
        return
    now = timezone.now()
    leads = [
        Lead(pk=lead_id, nurture_cadence=cadence, next_touch_at=next_touch_at, updated_at=now)
        for lead_id, (cadence, next_touch_at) in changes.items()
    ]
    bulk.update_each(Lead, leads, ["nurture_cadence", "next_touch_at", "updated_at"])


def lead_assign(*, lead: Lead, officer, actor: str) -> None:
    """Set (or clear, with officer=None) the lead's officer; the routing app calls this."""
    old = lead.assigned_officer_id
    lead.assigned_officer = officer
    lead.save(update_fields=["assigned_officer", "updated_at"])
    lead_event_record(
        lead=lead,
        type="assigned" if officer else "unassigned",
        actor=actor,
        description=str(officer) if officer else "Released.",
        data={"officer_id": officer.pk if officer else None, "previous_officer_id": old},
    )
    signals.lead_updated.send(sender=Lead, lead=lead, fields=["assigned_officer"], actor=actor)


@transaction.atomic
def lead_update_from_crm(*, lead: Lead, data: dict, actor: str) -> None:
    """Apply a CRM's PATCH: contact corrections, qualification, then the status."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    contact = {f: v for f, v in data.items() if f in CONTACT_FIELDS}
    qualification = {f: v for f, v in data.items() if f in QUALIFICATION_FIELDS}
    if contact:
        lead_update_contact(lead=lead, changes=contact, actor=actor)
    if qualification:
        lead_update_qualification(lead=lead, changes=qualification, actor=actor)
    if data.get("opt_out"):
        lead_opt_out(
            lead=lead, words=data["opt_out"]["words"], actor=actor, channel=data["opt_out"]["channel"]
        )
    new_status = data.get("status")
    if new_status == LeadStatus.DO_NOT_CONTACT:
        lead_mark_do_not_contact(lead=lead, actor=actor, reason="Set by the CRM.")
    elif new_status:
        lead_set_status(lead=lead, status=new_status, actor=actor, reason="Set by the CRM.")


def lead_set_ai_paused(*, lead: Lead, paused: bool, actor: str) -> None:
    """Pause the assistant while a person talks to the borrower, or resume it."""
    if lead.ai_paused == paused:
        return
    lead.ai_paused = paused
    lead.save(update_fields=["ai_paused", "updated_at"])
    lead_event_record(
        lead=lead,
        type="ai_paused" if paused else "ai_resumed",
        actor=actor,
        description="The assistant steps back." if paused else "The assistant is back on.",
    )


# --- The do-not-contact list (numbers, beyond one lead) -------------------------------------------


# Set while a batch of decisions (the nurture dispatcher's, one task's) shares one read of the list.
_dnc_snapshot: ContextVar[dict | None] = ContextVar("dnc_snapshot", default=None)


def dnc_listed(phone: str) -> bool:
    snapshot = _dnc_snapshot.get()
    if snapshot is not None and phone in snapshot:
        return snapshot[phone]
    listed = bool(phone) and _listed(phone)
    if snapshot is not None:
        snapshot[phone] = listed
    return listed


def _listed(phone: str) -> bool:
    # Asked on every lead (its POST's answer, its greeting): as plain SQL it costs a fifth of
    # the ORM's exists(), whose query building is most of the time of so small a statement.
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {DoNotContactNumber._meta.db_table} WHERE phone = %s LIMIT 1", [phone])
        return cursor.fetchone() is not None


@contextmanager
def dnc_snapshot(phones=()):
    """Look numbers up on the do-not-contact list once for the decisions made inside the block:
    these phones at once, any other the first time it is asked about. The block is short (a
    batch, a task), so a number listed meanwhile is caught by the next check outside it."""
    phones = {p for p in phones if p}
    listed = (
        set(DoNotContactNumber.objects.filter(phone__in=phones).values_list("phone", flat=True))
        if phones
        else ()
    )
    token = _dnc_snapshot.set({phone: phone in listed for phone in phones})
    try:
        yield
    finally:
        _dnc_snapshot.reset(token)


def dnc_add(*, phone: str, reason: str, source: str, actor: str) -> tuple[DoNotContactNumber, bool]:
    """Put a number on the list (once); every lead with it gets a timeline entry. Returns the
    entry and whether it is new. The number is normalised; a bad one is an ApplicationError."""
    phone = normalize_phone(phone)
    entry, created = DoNotContactNumber.objects.get_or_create(
        phone=phone, defaults={"reason": reason[:300], "source": source, "added_by": actor}
    )
    if created:
        for lead in Lead.objects.filter(phone=phone):
            lead_event_record(
                lead=lead,
                type="dnc_listed",
                actor=actor,
                description=f"The number was put on the do-not-contact list ({source}): {reason}",
                data={"reason": reason, "source": source},
            )
    return entry, created


@dataclass
class DncImportReport:
    added: int = 0
    already: int = 0
    rejected: list[tuple[int, str, str]] = dataclasses.field(default_factory=list)  # (line, value, why)


DNC_MAX_ROWS = 200_000


def dnc_import_csv(*, raw: bytes, actor: str, default_reason: str) -> DncImportReport:
    """Numbers from a CSV with a `phone` column (and optionally `reason`): a litigator list, the
    company's own list. Safe to run twice."""
    rows = _dnc_rows(raw)
    report = DncImportReport()
    for line, row in enumerate(rows, start=2):
        try:
            _, created = dnc_add(
                phone=row.get("phone", ""),
                reason=row.get("reason") or default_reason,
                source="csv",
                actor=actor,
            )
        except ApplicationError as error:
            report.rejected.append((line, row.get("phone", ""), error.message))
            continue
        report.added += created
        report.already += not created
    return report


def _dnc_rows(raw: bytes) -> list[dict]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError("Save the file as CSV in UTF-8.", field="file") from None
    reader = csv.DictReader(io.StringIO(text))
    if "phone" not in {(c or "").strip().lower() for c in reader.fieldnames or []}:
        raise ApplicationError("The file needs a 'phone' column.", field="file")
    rows = [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items()} for row in reader]
    if len(rows) > DNC_MAX_ROWS:
        raise ApplicationError(f"At most {DNC_MAX_ROWS} rows per file; split it.", field="file")
    return rows
