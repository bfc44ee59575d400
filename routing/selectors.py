"""Reads for the officer pages: an officer sees only what was offered or assigned to them."""

from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from leads.choices import QUALIFICATION_FIELDS
from leads.models import Lead
from routing import texts
from routing.eligibility import FINISHED_STATUSES
from routing.models import LoanOfficer, Offer, OfferStatus, ThreadWatch


def officer_pending_offers(officer: LoanOfficer) -> QuerySet[Offer]:
    return (
        Offer.objects.filter(officer=officer, status=OfferStatus.PENDING)
        .select_related("lead")
        .order_by("expires_at")
    )


def officer_missed_offers(officer: LoanOfficer, *, now: datetime) -> QuerySet[Offer]:
    """Offers of the last day that went to someone else or ran out: the officer sees who won."""
    return (
        Offer.objects.filter(
            officer=officer,
            status__in=[OfferStatus.TAKEN, OfferStatus.EXPIRED],
            decided_at__gte=now - timedelta(days=1),
        )
        .select_related("lead", "request__claimed_by")
        .order_by("-decided_at")[:10]
    )


def officer_open_leads(officer: LoanOfficer) -> QuerySet[Lead]:
    """Unread threads first (longest wait first), then borrowers waiting for an answer, then the rest."""
    watches = ThreadWatch.objects.filter(lead=OuterRef("pk"), officer=officer)
    return (
        Lead.objects.filter(assigned_officer=officer)
        .exclude(status__in=FINISHED_STATUSES)
        .annotate(
            unread_since=Subquery(watches.values("unread_since")[:1]),
            waiting_since=Subquery(watches.values("waiting_since")[:1]),
            wants_call=Subquery(watches.values("wants_call")[:1]),
        )
        .order_by(
            F("unread_since").asc(nulls_last=True),
            F("waiting_since").asc(nulls_last=True),
            "-updated_at",
        )
    )


def officer_closed_leads(officer: LoanOfficer) -> QuerySet[Lead]:
    return Lead.objects.filter(assigned_officer=officer, status__in=FINISHED_STATUSES).order_by(
        "-updated_at"
    )[:10]


def lead_for_officer(officer: LoanOfficer, lead_id) -> Lead | None:
    """The lead, if it is assigned to the officer or offered to them right now."""
    visible = Q(assigned_officer=officer) | Q(offers__officer=officer, offers__status=OfferStatus.PENDING)
    return Lead.objects.filter(visible, pk=lead_id).distinct().first()


def pending_offer(officer: LoanOfficer, lead: Lead) -> Offer | None:
    return Offer.objects.filter(officer=officer, lead=lead, status=OfferStatus.PENDING).first()


def qualification_rows(lead: Lead) -> list[tuple[str, str]]:
    """Label and value of each qualification field, as a person would read them."""
    return [
        (Lead._meta.get_field(field).verbose_name.capitalize(), texts.label(getattr(lead, field)))
        for field in QUALIFICATION_FIELDS
    ]
