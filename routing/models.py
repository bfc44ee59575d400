from django.conf import settings
from django.db import models

from leads.choices import LoanType


def all_products() -> list[str]:
    return [value for value, _ in LoanType.choices if value != LoanType.UNSURE]


class LoanOfficer(models.Model):
    """A licensed loan officer who can be offered and claim leads."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loan_officer"
    )
    name = models.CharField(max_length=120)
    nmls_id = models.CharField("NMLS ID", max_length=20)
    mobile_phone = models.CharField(max_length=20, blank=True, help_text="E.164, for alerts")
    email = models.EmailField(blank=True)
    licensed_states = models.JSONField(default=list, help_text='Two-letter codes, e.g. ["TX"]')
    products = models.JSONField(default=all_products, help_text="Loan types offered")
    capacity = models.PositiveIntegerField(default=25, help_text="Most open leads at once")
    time_zone = models.CharField(max_length=64, default="America/Chicago")
    work_start = models.TimeField(default="08:00")
    work_end = models.TimeField(default="18:00")
    work_days = models.JSONField(default=list, help_text="0=Monday .. 6=Sunday; empty: Mon-Fri")
    after_hours = models.BooleanField(default=False, help_text="Takes offers outside hours")
    out_of_office_until = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} (NMLS {self.nmls_id})"
