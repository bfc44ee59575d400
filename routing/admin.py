from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

from leads.choices import STATE_CHOICES, LoanPurpose, LoanType, Source, Temperature
from mortgage_sms.errors import ApplicationError
from routing import desk, services
from routing.eligibility import FINISHED_STATUSES
from routing.models import (
    LoanOfficer,
    Offer,
    OpsQueue,
    Pool,
    RequestStatus,
    RoutingRequest,
    RoutingRule,
    SavedReply,
    ScheduledReply,
)

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


def choice_list(choices, *, label: str = "", help_text: str = "", checkboxes: bool = True):
    """A JSON list of values edited as ticks (or, for long lists such as states, two boxes with
    a filter: the available ones and the chosen ones)."""
    widget = (
        forms.CheckboxSelectMultiple if checkboxes else FilteredSelectMultiple("states", is_stacked=False)
    )
    return forms.MultipleChoiceField(
        choices=choices, required=False, widget=widget, label=label or None, help_text=help_text
    )


class LoanOfficerForm(forms.ModelForm):
    licensed_states = choice_list(
        STATE_CHOICES, checkboxes=False, help_text="Never offered a lead elsewhere."
    )
    products = choice_list([c for c in LoanType.choices if c[0] != LoanType.UNSURE])
    work_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: Mon-Fri",
    )

    class Meta:
        model = LoanOfficer
        fields = ["licensed_states", "products", "work_days"]  # the admin adds its fieldsets' own


@admin.register(LoanOfficer)
class LoanOfficerAdmin(admin.ModelAdmin):
    form = LoanOfficerForm
    list_display = [
        "name", "nmls_id", "states", "open_leads", "capacity", "mobile_phone", "after_hours",
        "out_of_office_until", "active",
    ]  # fmt: skip
    list_filter = ["active", "after_hours", "pools"]
    search_fields = ["name", "nmls_id", "email", "mobile_phone"]
    fieldsets = [
        (None, {"fields": ["user", ("name", "nmls_id"), ("mobile_phone", "email"), "active"]}),
        ("What they may take", {"fields": ["licensed_states", "products", "capacity"]}),
        ("When", {"fields": ["time_zone", ("work_start", "work_end"), "work_days", "after_hours", "out_of_office_until"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        open_leads = Count("assigned_leads", filter=~Q(assigned_leads__status__in=FINISHED_STATUSES))
        return super().get_queryset(request).annotate(open_leads=open_leads)

    @admin.display(description="States")
    def states(self, officer):
        return ", ".join(officer.licensed_states)

    @admin.display(description="Open leads", ordering="open_leads")
    def open_leads(self, officer):
        return officer.open_leads


@admin.register(Pool)
class PoolAdmin(admin.ModelAdmin):
    list_display = ["name", "description", "size"]
    filter_horizontal = ["officers"]

    @admin.display(description="Officers")
    def size(self, pool):
        return pool.officers.count()


class RoutingRuleForm(forms.ModelForm):
    property_states = choice_list(STATE_CHOICES, checkboxes=False, help_text="None ticked: any state.")
    loan_purposes = choice_list(LoanPurpose.choices, help_text="None ticked: any.")
    loan_types = choice_list(LoanType.choices, help_text="None ticked: any.")
    sources = choice_list(Source.choices, help_text="None ticked: any.")
    temperatures = choice_list(Temperature.choices, help_text="None ticked: any.")

    class Meta:
        model = RoutingRule
        fields = ["property_states", "loan_purposes", "loan_types", "sources", "temperatures"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = [
        "name",
        "priority",
        "conditions",
        "pool",
        "strategy",
        "offer_seconds",
        "overflow",
        "active",
    ]
    list_editable = ["priority", "active"]
    list_filter = ["active", "strategy", "pool"]
    fieldsets = [
        (None, {"fields": ["name", ("priority", "active")]}),
        ("When the lead matches (empty: anything)", {"fields": ["property_states", "loan_purposes", "loan_types", "sources", "temperatures"]}),
        ("Offer it to", {"fields": ["pool", "strategy", "offer_seconds", "overflow"]}),
    ]  # fmt: skip

    @admin.display(description="Conditions")
    def conditions(self, rule):
        if rule.is_catch_all:
            return "everything (default)"
        parts = [rule.property_states, rule.loan_purposes, rule.loan_types, rule.sources, rule.temperatures]
        return "; ".join(", ".join(values) for values in parts if values)


class OfferInline(admin.TabularInline):
    model = Offer
    extra = 0
    can_delete = False
    fields = [
        "officer",
        "status",
        "strategy",
        "rule",
        "created_at",
        "expires_at",
        "decided_at",
        "alerted_at",
        "alert_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ReassignForm(forms.Form):
    officer = forms.ModelChoiceField(
        queryset=LoanOfficer.objects.filter(active=True),
        help_text="Only an officer licensed in the lead's state.",
    )


@admin.register(RoutingRequest)
class RoutingRequestAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "lead_link",
        "lead_state",
        "reason",
        "status",
        "claimed_by",
        "offers_made",
        "note",
    ]
    list_filter = ["status", "created_at", "claimed_by"]
    search_fields = ["lead__phone", "lead__last_name", "lead__first_name", "=lead__id"]
    list_select_related = ["lead", "claimed_by"]
    date_hierarchy = "created_at"
    inlines = [OfferInline]
    actions = ["reroute", "reassign"]
    readonly_fields = [f.name for f in RoutingRequest._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(offers_made=Count("offers"))

    def has_add_permission(self, request):
        return False

    @admin.display(description="Lead")
    def lead_link(self, routing):
        url = reverse("admin:leads_lead_change", args=[routing.lead_id])
        return format_html('<a href="{}">{}</a>', url, routing.lead)

    @admin.display(description="State")
    def lead_state(self, routing):
        return routing.lead.property_state or routing.lead.state or "—"

    @admin.display(description="Offers", ordering="offers_made")
    def offers_made(self, routing):
        return routing.offers_made

    @admin.action(
        description="Re-route: withdraw offers and unassign, then offer again", permissions=["change"]
    )
    def reroute(self, request, queryset):
        for routing in queryset.select_related("lead"):
            self._apply(request, services.lead_reroute, lead=routing.lead, actor=f"admin:{request.user}")

    @admin.action(description="Reassign to an officer…", permissions=["change"])
    def reassign(self, request, queryset):
        form = ReassignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            for routing in queryset.select_related("lead"):
                officer = form.cleaned_data["officer"]
                self._apply(
                    request,
                    services.lead_reassign,
                    lead=routing.lead,
                    officer=officer,
                    actor=f"admin:{request.user}",
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "form": form,
            "requests": queryset,
            "opts": self.model._meta,
        }
        return render(request, "admin/routing/reassign.html", context)

    def _apply(self, request, service, **kwargs):
        try:
            service(**kwargs)
        except ApplicationError as error:
            self.message_user(request, f"{kwargs['lead']}: {error.message}", messages.ERROR)
        else:
            self.message_user(request, f"{kwargs['lead']}: done.", messages.SUCCESS)


@admin.register(OpsQueue)
class OpsQueueAdmin(RoutingRequestAdmin):
    list_display = ["created_at", "lead_link", "lead_state", "reason", "note", "ops_alerted_at"]
    list_filter = ["created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=RequestStatus.WAITING)


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    # Fits 1280 px beside the filters; the strategy and the expiry are on each offer's page.
    list_display = ["created_at", "lead", "officer", "status", "rule", "decided_at", "alert_error"]
    list_filter = ["status", "strategy", "officer", "rule", "created_at"]
    search_fields = ["lead__phone", "lead__last_name", "officer__name"]
    list_select_related = ["lead", "officer", "rule"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Offer._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # outcomes are history; re-route or reassign to change what happens next


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ["title", "body", "officer"]

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            desk.saved_reply_validate(body=body)
        except ApplicationError as error:
            raise forms.ValidationError(error.message) from error
        return body


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    form = SavedReplyForm
    list_display = ["title", "officer", "body"]
    list_filter = ["officer"]
    search_fields = ["title", "body"]


@admin.register(ScheduledReply)
class ScheduledReplyAdmin(admin.ModelAdmin):
    list_display = ["send_at", "lead", "officer", "status", "result"]
    list_filter = ["status"]
    raw_id_fields = ["lead"]
