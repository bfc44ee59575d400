from django.contrib import admin

from routing.models import LoanOfficer


@admin.register(LoanOfficer)
class LoanOfficerAdmin(admin.ModelAdmin):
    list_display = ["name", "nmls_id", "mobile_phone", "email", "capacity", "after_hours", "active"]
    list_filter = ["active", "after_hours"]
    search_fields = ["name", "nmls_id", "email", "mobile_phone"]
