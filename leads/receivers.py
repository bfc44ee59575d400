"""Deleting a lead must not delete the borrower's "stop"."""

from django.db.models.signals import pre_delete
from django.dispatch import receiver

from leads.models import DoNotContactNumber, Lead


@receiver(pre_delete, sender=Lead, dispatch_uid="leads.keep_opt_out_of_a_deleted_lead")
def keep_opt_out_of_a_deleted_lead(sender, instance: Lead, **kwargs) -> None:
    """An opted-out or do-not-contact lead deleted (in the admin, for a privacy request, by a
    cascade) leaves its number on the do-not-contact list: otherwise the next form with that
    phone opens a fresh lead and texts someone who asked us to stop. A number is all it keeps."""
    why = _why_blocked(instance)
    if why:
        DoNotContactNumber.objects.get_or_create(
            phone=instance.phone,
            defaults={
                "reason": f"{why}; lead {instance.pk} deleted"[:300],
                "source": "opt-out",
                "added_by": "system",
            },
        )


def _why_blocked(lead: Lead) -> str:
    if lead.opted_out_at:
        event = lead.events.filter(type="opted_out").order_by("-created_at").first()
        words = f": {event.data.get('words')!r}" if event else ""
        return f"The borrower opted out on {lead.opted_out_at:%Y-%m-%d}{words}"
    if lead.do_not_contact:
        event = lead.events.filter(type="do_not_contact").order_by("-created_at").first()
        return f"Marked do-not-contact{': ' + event.description if event else ''}"
    return ""
