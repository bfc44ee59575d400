from datetime import datetime

from django.db.models import QuerySet

from leads.models import Lead


def lead_list(
    *,
    statuses: list[str] | None = None,
    updated_since: datetime | None = None,
    phone: str | None = None,
    external_id: str | None = None,
) -> QuerySet[Lead]:
    leads = Lead.objects.select_related("assigned_officer")
    if statuses:
        leads = leads.filter(status__in=statuses)
    if phone:
        leads = leads.filter(phone=phone)
    if external_id:
        leads = leads.filter(external_id=external_id)
    if updated_since:
        return leads.filter(updated_at__gte=updated_since).order_by("updated_at", "id")
    return leads.order_by("-created_at", "id")
