from datetime import datetime

from django.db.models import QuerySet

from leads.models import DoNotContactNumber, Lead


def lead_list(
    *,
    statuses: list[str] | None = None,
    updated_since: datetime | None = None,
    phone: str | None = None,
    external_id: str | None = None,
) -> QuerySet[Lead]:
    leads = Lead.objects.select_related("assigned_officer").prefetch_related(
        "experiment_assignments__experiment", "experiment_assignments__variant"
    )
    if statuses:
        leads = leads.filter(status__in=statuses)
    if phone:
        leads = leads.filter(phone=phone)
    if external_id:
        leads = leads.filter(external_id=external_id)
    if updated_since:
        return leads.filter(updated_at__gte=updated_since).order_by("updated_at", "id")
    return leads.order_by("-created_at", "id")


# --- The consent record: what a lawyer answering a demand letter needs ----------------------------

CONSENT_EVENT_TYPES = (
    "opted_out",
    "opted_in",
    "do_not_contact",
    "dnc_listed",
    "not_contacted",
    "sms_blocked",
    "consent_upgraded",
    "nurture_refused",
)
LEAD_CONSENT_FIELDS = (
    "sms_consent", "consent_scope", "consent_text", "consent_at", "consent_source", "consent_ip", "consent_user_agent",
    "consent_page_url", "trustedform_cert_url", "jornaya_leadid", "opted_out_at", "do_not_contact",
)  # fmt: skip
INQUIRY_FIELDS = (
    "created_at", "source", "source_detail", "external_id", "submitted_by", "sms_consent", "consent_scope",
    "consent_text", "consent_at", "consent_ip", "consent_user_agent", "consent_page_url", "trustedform_cert_url",
    "jornaya_leadid", "payload",
)  # fmt: skip
MESSAGE_FIELDS = (
    "created_at", "direction", "sender", "kind", "to_number", "from_number", "body", "status",
    "sent_at", "delivered_at", "provider_sid", "error_code", "error_message",
)  # fmt: skip


def consent_record(lead: Lead, *, generated_at: datetime) -> dict:
    """The lead's consent, every opt-out and opt-in in the borrower's words, every text with its
    status, and the number's do-not-contact entry: one JSON-ready document."""
    return {
        "generated_at": generated_at.isoformat(),
        "lead": {"id": str(lead.pk), "name": lead.full_name, "phone": lead.phone, "email": lead.email,
                 "status": lead.status, "created_at": lead.created_at.isoformat()},
        "consent": _plain({f: getattr(lead, f) for f in LEAD_CONSENT_FIELDS}),
        "inquiries": [_plain(row) for row in lead.inquiries.order_by("created_at").values(*INQUIRY_FIELDS)],
        "consent_events": [
            _plain(row)
            for row in lead.events.filter(type__in=CONSENT_EVENT_TYPES)
            .order_by("created_at", "id")
            .values("created_at", "type", "actor", "description", "data")
        ],
        # The thread is the conversations app's, read through the lead (leads imports no app).
        "messages": [_plain(row) for row in lead.messages.order_by("created_at", "id").values(*MESSAGE_FIELDS)],
        "do_not_contact_list": _plain(
            DoNotContactNumber.objects.filter(phone=lead.phone).values("reason", "source", "added_by", "created_at").first()
        ),
    }  # fmt: skip


def _plain(value):
    """Datetimes as ISO 8601 strings, recursively, so the record is JSON as it is."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value.isoformat() if isinstance(value, datetime) else value
