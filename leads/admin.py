import json

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator

from leads import display, ops_views, selectors, services
from leads.choices import QUALIFICATION_FIELDS
from leads.models import DoNotContactNumber, IdempotencyRecord, Inquiry, Lead, LeadEvent
from mortgage_sms.admin_confirm import confirmation_page, confirmed
from mortgage_sms.errors import ApplicationError

OPT_OUT_CHANNELS = [
    ("phone", "by phone"),
    ("email", "by e-mail"),
    ("in_person", "in person"),
    ("other", "other"),
]


class RecordOptOutForm(ActionForm):
    words = forms.CharField(
        required=False,
        label="Borrower's words",
        widget=forms.TextInput(attrs={"size": 40}),
        help_text="What the borrower said, as they said it",
    )
    channel = forms.ChoiceField(required=False, choices=[("", "— channel —"), *OPT_OUT_CHANNELS])


class InquiryInline(admin.TabularInline):
    model = Inquiry
    extra = 0
    can_delete = False
    fields = ["created_at", "source", "source_detail", "external_id", "submitted_by", "sms_consent"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # inquiries come from forms, the API and imports, with their consent


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    # Fits a 1280 px screen beside the filters: two facts per column where they belong together.
    list_display = [
        "name_link", "status_badge", "loan", "source_column", "assigned_officer", "created_at",
        "last_inbound_at",
    ]  # fmt: skip
    ordering = ["-created_at"]
    list_filter = [
        "status", "temperature", "source", "loan_purpose", "loan_type", "sms_consent",
        "do_not_contact", "language", "property_state", "created_at",
    ]  # fmt: skip
    search_fields = ["phone", "first_name", "last_name", "email", "external_id", "=id"]
    date_hierarchy = "created_at"
    list_select_related = ["assigned_officer"]
    list_per_page = 50
    inlines = [InquiryInline]
    actions = ["record_opt_out", "mark_do_not_contact"]
    action_form = RecordOptOutForm
    # The officer changes only through routing (license check, offer history): its actions.
    readonly_fields = [
        "id", "status", "assigned_officer", "temperature", "conversation", "timeline_view", "sms_consent",
        "consent_scope", "consent_text", "consent_at", "consent_source", "opted_out_at", "do_not_contact",
        "created_at", "updated_at", "first_contact_at", "last_inbound_at", "last_outbound_at",
        "nurture_cadence", "next_touch_at", "contact_window_link", "consent_ip", "consent_user_agent",
        "consent_page_url", "trustedform_cert_url", "jornaya_leadid", "consent_record_links",
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        # Consent and opt-outs were given for this number: another number is another inquiry
        # (the API refuses the change too). Editing it would text a number that never agreed,
        # and free the one that said stop.
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "phone"] if obj is not None else readonly

    fieldsets = [
        (None, {"fields": ["id", ("first_name", "last_name"), ("phone", "email"), ("state", "zip_code"), "language"]}),
        ("Status", {"fields": [("status", "temperature"), "assigned_officer", "ai_paused", ("nurture_cadence", "next_touch_at"), "contact_window_link"]}),
        ("Conversation", {"fields": ["conversation"]}),
        ("Qualification", {"fields": list(QUALIFICATION_FIELDS)}),
        ("Source", {"fields": [("source", "source_detail"), "external_id"]}),
        ("Consent", {"fields": ["consent_record_links", "sms_consent", "consent_scope", "consent_text", "consent_at", "consent_source", ("consent_ip", "jornaya_leadid"), "consent_user_agent", "consent_page_url", "trustedform_cert_url", "opted_out_at", "do_not_contact"]}),
        ("Timeline", {"fields": ["timeline_view"]}),
        ("Dates", {"classes": ["collapse"], "fields": ["created_at", "updated_at", "first_contact_at", "last_inbound_at", "last_outbound_at"]}),
    ]  # fmt: skip

    @admin.display(description="Borrower", ordering="last_name")
    def name_link(self, lead):
        return format_html("{}<br><small>{}</small>", lead.full_name or "(no name)", lead.phone)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, lead):
        colors = {"hot": "#a1221b", "warm": "#8a5a00", "cold": "#1d4f91"}
        if not lead.temperature:
            return lead.get_status_display()
        return format_html(
            '{} <b style="color:{}">{}</b>',
            lead.get_status_display(),
            colors[lead.temperature],
            lead.get_temperature_display().lower(),
        )

    @admin.display(description="Loan", ordering="loan_purpose")
    def loan(self, lead):
        parts = [
            lead.get_loan_purpose_display() if lead.loan_purpose else "",
            lead.property_state or lead.state,
        ]
        return " · ".join(p for p in parts if p) or "—"

    @admin.display(description="Source", ordering="source")
    def source_column(self, lead):
        if not lead.source_detail:
            return lead.get_source_display()
        detail = Truncator(lead.source_detail).chars(40)  # "…" says there is more on the lead's page
        return format_html("{}<br><small>{}</small>", lead.get_source_display(), detail)

    @admin.display(description="Contact window")
    def contact_window_link(self, lead):
        if not lead.pk:
            return "—"  # a lead being added by hand has no rules to show yet
        # The rules are the conversations app's: its admin page answers, linked by URL name.
        url = reverse("admin:conversations_contactrule_lead", args=[lead.pk])
        return format_html('<a href="{}">When may we text this lead?</a>', url)

    @admin.display(description="SMS thread")
    def conversation(self, lead):
        # The messages are the conversations app's; read through the reverse relation.
        thread = lead.messages.order_by("created_at") if lead.pk else []
        usage = lead.agent_turns.aggregate(
            calls=Count("llm_calls"),
            tokens_in=Sum("llm_calls__input_tokens"),
            tokens_out=Sum("llm_calls__output_tokens"),
            cached=Sum("llm_calls__cache_read_tokens"),
            cost=Sum("llm_calls__cost_usd"),
            average_ms=Avg("llm_calls__duration_ms"),
        ) if lead.pk else {}  # fmt: skip
        return render_to_string("admin/leads/conversation.html", {"messages_": thread, "llm": usage})

    @admin.display(description="Events")
    def timeline_view(self, lead):
        events = lead.events.order_by("created_at", "id") if lead.pk else []
        rows = [
            {
                "when": e.created_at,
                "title": display.event_title(e),
                "summary": display.event_summary(e),
                "actor": e.actor,
            }
            for e in events
        ]
        return render_to_string("admin/leads/timeline.html", {"events": rows})

    @admin.display(description="Consent record")
    def consent_record_links(self, lead):
        if not lead.pk:
            return "—"
        base = reverse("admin:leads_lead_consent_record", args=[lead.pk])
        return format_html(
            '<a href="{}" target="_blank">Printable</a> · <a href="{}?format=json">Download JSON</a>',
            base,
            base,
        )

    def get_urls(self):
        view = self.admin_site.admin_view(self.consent_record_view)
        record = path("<uuid:lead_id>/consent-record/", view, name="leads_lead_consent_record")
        return [record, *self._ops_urls(), *super().get_urls()]

    def _ops_urls(self):
        def bound(view):
            return self.admin_site.admin_view(lambda request, lead_id: view(self, request, lead_id))

        return [
            path("<uuid:lead_id>/text/", bound(ops_views.text_borrower), name="leads_lead_text"),
            path("<uuid:lead_id>/reassign/", bound(ops_views.reassign), name="leads_lead_reassign"),
        ]

    def consent_record_view(self, request, lead_id):
        """The consent record as JSON (?format=json) or a printable page; each download is logged."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        lead = get_object_or_404(Lead, pk=lead_id)
        record = selectors.consent_record(lead, generated_at=timezone.now())
        services.lead_event_record(
            lead=lead,
            type="consent_record_viewed",
            actor=f"admin:{request.user}",
            data={"format": request.GET.get("format", "html")},
        )
        if request.GET.get("format") == "json":
            response = HttpResponse(
                json.dumps(record, indent=2, default=str), content_type="application/json"
            )
            response["Content-Disposition"] = f'attachment; filename="consent-record-{lead.pk}.json"'
            return response
        return render(request, "admin/leads/consent_record.html", {"lead": lead, "record": record})

    @admin.action(
        description="Record an opt-out the borrower gave by phone, e-mail or in person",
        permissions=["change"],
    )
    def record_opt_out(self, request, queryset):
        form = self.action_form(request.POST)
        form.fields["action"].choices = self.get_action_choices(request)
        if not form.is_valid() or not form.cleaned_data["words"].strip() or not form.cleaned_data["channel"]:
            self.message_user(
                request, "Give the borrower's words and the channel next to the action.", messages.ERROR
            )
            return None
        if not confirmed(request):
            return confirmation_page(
                self, request, queryset, action="record_opt_out", title="Record these opt-outs?",
                consequence=f"These borrowers opted out ({form.cleaned_data['channel'].replace('_', ' ')}: "
                f"“{form.cleaned_data['words'].strip()}”): nothing more will be texted to them until they "
                "text START.",
                button="Yes, record the opt-outs",
            )  # fmt: skip
        count = sum(
            services.lead_opt_out(
                lead=lead,
                words=form.cleaned_data["words"].strip(),
                actor=f"admin:{request.user}",
                channel=form.cleaned_data["channel"],
            )
            for lead in queryset
        )
        self.message_user(
            request, f"{count} lead(s) opted out; nothing more will be texted.", messages.SUCCESS
        )

    @admin.action(description="Mark do-not-contact (stops all texting)", permissions=["change"])
    def mark_do_not_contact(self, request, queryset):
        if not confirmed(request):
            return confirmation_page(
                self, request, queryset, action="mark_do_not_contact", title="Mark do-not-contact?",
                consequence="These borrowers will never be texted again: every text not yet handed to the "
                "carrier is stopped now, cadences end, and the API cannot lift it.",
                button="Yes, mark do-not-contact",
            )  # fmt: skip
        count = sum(
            services.lead_mark_do_not_contact(lead=lead, actor=f"admin:{request.user}") for lead in queryset
        )
        self.message_user(request, f"{count} lead(s) marked do-not-contact.", messages.SUCCESS)


@admin.register(LeadEvent)
class LeadEventAdmin(admin.ModelAdmin):
    ordering = ["-created_at"]  # newest first
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


class DncImportForm(forms.Form):
    file = forms.FileField(help_text="CSV with a header row: phone (required), reason (optional).")
    reason = forms.CharField(
        max_length=300,
        help_text="Recorded for rows without a reason, e.g. 'Litigator list, vendor X, 2026-11'",
    )


@admin.register(DoNotContactNumber)
class DoNotContactNumberAdmin(admin.ModelAdmin):
    list_display = ["phone", "reason", "source", "added_by", "created_at"]
    list_filter = ["source", "created_at"]
    search_fields = ["phone", "reason"]
    date_hierarchy = "created_at"
    fields = ["phone", "reason"]
    change_list_template = "admin/leads/donotcontactnumber/change_list.html"

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        entry, _ = services.dnc_add(
            phone=obj.phone, reason=obj.reason, source="admin", actor=f"admin:{request.user}"
        )
        obj.pk = entry.pk

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="leads_donotcontactnumber_import"), *super().get_urls()]

    def import_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DncImportForm(request.POST or None, request.FILES or None)
        report = None
        if request.method == "POST" and form.is_valid():
            try:
                report = services.dnc_import_csv(
                    raw=form.cleaned_data["file"].read(),
                    actor=f"admin:{request.user}",
                    default_reason=form.cleaned_data["reason"],
                )
            except ApplicationError as error:
                form.add_error("file", error.message)
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "report": report,
            "opts": self.model._meta,
        }
        context["title"] = "Import numbers to the do-not-contact list"
        return render(request, "admin/leads/dnc_import.html", context)
