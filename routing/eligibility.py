"""Who may be offered a lead: the rules of eligibility, and each officer's load."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from leads.choices import CLOSED_STATUSES, LeadStatus
from leads.models import Lead
from routing.models import LoanOfficer, Offer, OfferStatus

# An assigned lead in one of these no longer takes an officer's time.
FINISHED_STATUSES = (*CLOSED_STATUSES, LeadStatus.OPTED_OUT, LeadStatus.DO_NOT_CONTACT)

REASON_LABELS = {
    "inactive": "inactive",
    "not_licensed": "not licensed in the property's state",
    "product": "does not offer the loan type",
    "out_of_office": "out of office",
    "outside_hours": "outside working hours",
    "at_capacity": "at capacity",
}


@dataclass(frozen=True)
class Candidate:
    officer: LoanOfficer
    load: int
    last_offered_at: datetime | None


def licensing_state(lead: Lead) -> str | None:
    """The state whose license the officer needs: the property's, else where the borrower lives."""
    return lead.property_state or lead.state or None


def ineligibility(officer: LoanOfficer, lead: Lead, *, now: datetime, load: int) -> str | None:
    """Why this officer may not be offered this lead, or None when they may."""
    if not officer.active:
        return "inactive"
    if not officer.is_licensed_in(licensing_state(lead)):
        return "not_licensed"  # no license, no offer: nothing below can override this
    if not officer.offers_product(lead.loan_type):
        return "product"
    if officer.is_out_of_office(now):
        return "out_of_office"
    if not officer.takes_offers_at(now):
        return "outside_hours"
    if load >= officer.capacity:
        return "at_capacity"
    return None


def officer_loads(officer_ids) -> dict[int, int]:
    """Open assigned leads plus pending offers: an open offer is a promise of the officer's time."""
    loads = Counter()
    assigned = (
        Lead.objects.filter(assigned_officer_id__in=officer_ids)
        .exclude(status__in=FINISHED_STATUSES)
        .values("assigned_officer_id")
        .annotate(n=Count("id"))
    )
    for row in assigned:
        loads[row["assigned_officer_id"]] += row["n"]
    pending = (
        Offer.objects.filter(officer_id__in=officer_ids, status=OfferStatus.PENDING)
        .values("officer_id")
        .annotate(n=Count("id"))
    )
    for row in pending:
        loads[row["officer_id"]] += row["n"]
    return loads


def eligible_candidates(lead: Lead, officers, *, now: datetime) -> tuple[list[Candidate], Counter]:
    """The officers who may be offered the lead, and a count of why the others may not."""
    officers = list(officers.annotate(last_offered_at=Max("offers__created_at")).order_by("pk"))
    loads = officer_loads([o.pk for o in officers])
    eligible, refusals = [], Counter()
    for officer in officers:
        reason = ineligibility(officer, lead, now=now, load=loads[officer.pk])
        if reason:
            refusals[reason] += 1
        else:
            eligible.append(Candidate(officer, loads[officer.pk], officer.last_offered_at))
    return eligible, refusals


def describe_refusals(refusals: Counter) -> str:
    if not refusals:
        return "no officers left to try"
    return ", ".join(f"{n} {REASON_LABELS[reason]}" for reason, n in refusals.most_common())
