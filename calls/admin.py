from django.contrib import admin

from calls.models import Call


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("created_at", "lead", "officer", "status", "duration_seconds", "recorded", "note")
    list_filter = ("status", "recorded", "officer")
    search_fields = ("borrower_number", "officer_number", "officer_call_sid", "lead__last_name")
    date_hierarchy = "created_at"
    raw_id_fields = ("lead",)

    def get_readonly_fields(self, request, obj=None):
        # A call is a record of what Twilio did: nobody edits it after the fact.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
