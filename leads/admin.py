from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html

from leads import services
from leads.choices import QUALIFICATION_FIELDS
from leads.models import IdempotencyRecord, Inquiry, Lead, LeadEvent


class InquiryInline(admin.TabularInline):
    model = Inquiry
    extra = 0
    can_delete = False
    fields = ["created_at", "source", "source_detail", "external_id", "submitted_by", "sms_consent"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    list_display = [
        "name_link", "phone", "status", "temperature_badge", "loan_purpose", "property_state",
        "source", "assigned_officer", "created_at", "last_inbound_at",
    ]  # fmt: skip
    list_filter = [
        "status", "temperature", "source", "loan_purpose", "loan_type", "sms_consent",
        "do_not_contact", "language", "property_state", "created_at",
    ]  # fmt: skip
    search_fields = ["phone", "first_name", "last_name", "email", "external_id", "=id"]
    date_hierarchy = "created_at"
    list_select_related = ["assigned_officer"]
    list_per_page = 50
    inlines = [InquiryInline]
    actions = ["mark_do_not_contact"]
    # The officer changes only through routing (license check, offer history): its actions.
    readonly_fields = [
        "id", "status", "assigned_officer", "temperature", "conversation", "timeline_view", "sms_consent",
        "consent_text", "consent_at", "consent_source", "opted_out_at", "do_not_contact",
        "created_at", "updated_at", "first_contact_at", "last_inbound_at", "last_outbound_at",
        "nurture_cadence", "next_touch_at", "contact_window_link",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["id", ("first_name", "last_name"), ("phone", "email"), ("state", "zip_code"), "language"]}),
        ("Status", {"fields": [("status", "temperature"), "assigned_officer", "ai_paused", ("nurture_cadence", "next_touch_at"), "contact_window_link"]}),
        ("Conversation", {"fields": ["conversation"]}),
        ("Qualification", {"fields": list(QUALIFICATION_FIELDS)}),
        ("Source", {"fields": [("source", "source_detail"), "external_id"]}),
        ("Consent (prior express written consent)", {"fields": ["sms_consent", "consent_text", "consent_at", "consent_source", "opted_out_at", "do_not_contact"]}),
        ("Timeline", {"fields": ["timeline_view"]}),
        ("Dates", {"classes": ["collapse"], "fields": ["created_at", "updated_at", "first_contact_at", "last_inbound_at", "last_outbound_at"]}),
    ]  # fmt: skip

    @admin.display(description="Borrower", ordering="last_name")
    def name_link(self, lead):
        return lead.full_name or "(no name)"

    @admin.display(description="Temp.", ordering="temperature")
    def temperature_badge(self, lead):
        colors = {"hot": "#a1221b", "warm": "#8a5a00", "cold": "#1d4f91"}
        if not lead.temperature:
            return "—"
        return format_html('<b style="color:{}">{}</b>', colors[lead.temperature], lead.temperature)

    @admin.display(description="Contact window")
    def contact_window_link(self, lead):
        # The rules are the conversations app's: its admin page answers, linked by URL name.
        url = reverse("admin:conversations_contactrule_lead", args=[lead.pk])
        return format_html('<a href="{}">When may we text this lead?</a>', url)

    @admin.display(description="SMS thread")
    def conversation(self, lead):
        # The messages are the conversations app's; read through the reverse relation.
        thread = lead.messages.order_by("created_at") if lead.pk else []
        return render_to_string("admin/leads/conversation.html", {"messages_": thread})

    @admin.display(description="Events")
    def timeline_view(self, lead):
        events = lead.events.order_by("created_at", "id") if lead.pk else []
        return render_to_string("admin/leads/timeline.html", {"events": events})

    @admin.action(description="Mark do-not-contact (stops all texting)")
    def mark_do_not_contact(self, request, queryset):
        count = sum(
            services.lead_mark_do_not_contact(lead=lead, actor=f"admin:{request.user}") for lead in queryset
        )
        self.message_user(request, f"{count} lead(s) marked do-not-contact.", messages.SUCCESS)


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "lead", "type", "actor", "description"]
    list_filter = ["type", "created_at"]
    search_fields = ["lead__phone", "lead__last_name", "description", "actor"]
    list_select_related = ["lead"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request, obj=None):
        return False  # an audit log is not edited

    def has_add_permission(self, request):
        return False


@admin.register(Inquiry)
class InquiryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "lead", "source", "source_detail", "submitted_by", "sms_consent"]
    list_filter = ["source", "sms_consent", "created_at"]
    search_fields = ["lead__phone", "lead__last_name", "external_id", "source_detail"]
    list_select_related = ["lead"]
    readonly_fields = [f.name for f in Inquiry._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "client_key", "key", "response_status"]
    search_fields = ["key"]
    readonly_fields = [f.name for f in IdempotencyRecord._meta.fields]
