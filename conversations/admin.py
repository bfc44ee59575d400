from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import Truncator

from conversations import selectors, windows
from conversations.models import AgentTurn, ContactRule, LLMCall, Message, MessageStatus
from leads.models import Lead
from mortgage_sms.admin_confirm import confirmation_page, confirmed


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "way", "lead_name", "kind", "status_column", "short_body"]
    ordering = ["-created_at"]
    list_filter = ["status", "direction", "sender", "kind", "error_code", "created_at"]
    search_fields = ["to_number", "from_number", "body", "provider_sid", "lead__last_name"]
    list_select_related = ["lead"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["requeue_unknown"]

    @admin.display(description="Text")
    def short_body(self, message):
        return Truncator(message.body).chars(90)

    @admin.display(description="Who", ordering="sender")
    def way(self, message):
        arrow = "←" if message.direction == "inbound" else "→"
        return f"{arrow} {message.get_sender_display()}"

    @admin.display(description="Borrower", ordering="lead__last_name")
    def lead_name(self, message):
        if message.lead is None:
            return message.to_number  # an alert to staff
        return message.lead.full_name or message.lead.phone

    @admin.display(description="Status", ordering="status")
    def status_column(self, message):
        if message.error_code:
            return f"{message.get_status_display()} ({message.error_code})"
        return message.get_status_display()

    @admin.action(
        description="Send again (only texts marked unknown, after checking the phone)", permissions=["change"]
    )
    def requeue_unknown(self, request, queryset):
        count = queryset.filter(status=MessageStatus.UNKNOWN).update(
            status=MessageStatus.QUEUED, retry_at=None
        )
        self.message_user(request, f"{count} text(s) queued again; the sweeper sends them.")

    def has_add_permission(self, request):
        return False


@admin.register(ContactRule)
class ContactRuleAdmin(admin.ModelAdmin):
    # Fits 1280 px beside the filters: the two exemptions in one column, the check date on the page.
    list_display = ["state", "hours", "max_per_24h", "skip_state_holidays", "asked_for", "paused", "citation"]
    list_editable = ["paused"]
    list_filter = ["paused", "first_contact_exempt", "live_reply_exempt", "skip_sundays"]
    search_fields = ["state", "citation", "note"]
    actions = ["pause", "resume"]
    fieldsets = [
        (None, {"fields": ["state", "paused"]}),
        ("Hours (the borrower's local time)", {"fields": [
            ("start_hour", "end_hour"), ("saturday_start_hour", "saturday_end_hour"),
            ("sunday_start_hour", "sunday_end_hour"), "skip_sundays", "skip_state_holidays",
        ]}),
        ("Cap", {"fields": ["max_per_24h", "cap_counts_calls"]}),
        ("Texts the borrower asked for", {"fields": ["first_contact_exempt", "live_reply_exempt"]}),
        ("The law", {"fields": ["citation", "checked_on", "note"]}),
    ]  # fmt: skip

    @admin.display(description="Hours")
    def hours(self, rule):
        return rule.hours_summary()

    @admin.display(description="Texts the borrower asked for")
    def asked_for(self, rule):
        return {
            (True, True): "any hour",
            (True, False): "first text any hour; replies wait",
            (False, True): "replies any hour; first text waits",
            (False, False): "wait for the hours",
        }[(rule.first_contact_exempt, rule.live_reply_exempt)]

    @admin.action(
        description="Pause scheduled texts (emergency; '*' pauses every state)", permissions=["change"]
    )
    def pause(self, request, queryset):
        if not confirmed(request):
            return confirmation_page(
                self, request, queryset, action="pause", title="Pause scheduled texts?",
                consequence="No nurture text or held reply goes out in these states (all of them for '*') "
                "until you resume; first texts after an inquiry and answers to STOP and HELP still go.",
                button="Yes, pause",
            )  # fmt: skip
        count = queryset.update(paused=True)
        self.message_user(request, f"{count} rule(s) paused: scheduled texts wait until resumed.")

    @admin.action(description="Resume scheduled texts", permissions=["change"])
    def resume(self, request, queryset):
        count = queryset.update(paused=False)
        self.message_user(request, f"{count} rule(s) resumed.")

    def get_urls(self):
        view = self.admin_site.admin_view(self.lead_outlook_view)
        lead_url = path("lead/<uuid:lead_id>/", view, name="conversations_contactrule_lead")
        return [lead_url, *super().get_urls()]

    def lead_outlook_view(self, request, lead_id):
        """When may we text this lead: its local time, the rules that apply, the next opening."""
        if not request.user.has_perm("leads.view_lead"):
            raise PermissionDenied
        lead = get_object_or_404(Lead, pk=lead_id)
        at = self._moment(request.GET.get("at", ""), lead)
        context = {
            **self.admin_site.each_context(request),
            "title": f"When may we text {lead}?",
            "lead": lead,
            "outlook": selectors.contact_outlook(lead, at or timezone.now()),
            "planning": at is not None,
            "opts": self.model._meta,
        }
        return render(request, "admin/conversations/lead_outlook.html", context)

    @staticmethod
    def _moment(value: str, lead):
        """?at=2026-10-18T09:30 (the borrower's local time unless it names an offset): plan ahead."""
        moment = parse_datetime(value) if value else None
        if moment is not None and timezone.is_naive(moment):
            moment = moment.replace(tzinfo=windows.borrower_timezone(lead))
        return moment


class LLMCallInline(admin.TabularInline):
    model = LLMCall
    extra = 0
    can_delete = False
    fields = [
        "created_at",
        "provider",
        "model",
        "outcome",
        "status_code",
        "duration_ms",
        "input_tokens",
        "output_tokens",
        "cache_read_tokens",
        "cache_write_tokens",
        "cost_usd",
        "request_id",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AgentTurn)
class AgentTurnAdmin(admin.ModelAdmin):
    """Every answer of the assistant: who wrote it, how long it took, whether it fell back."""

    ordering = ["-created_at"]  # newest first
    list_display = [
        "created_at", "lead", "backend", "answered_by", "outcome", "intent", "fallback_reason",
        "duration_ms", "short_reply",
    ]  # fmt: skip
    list_filter = [
        "backend",
        "answered_by",
        "outcome",
        "intent",
        "fallback_reason",
        "guardrail",
        "created_at",
    ]
    search_fields = ["lead__phone", "lead__last_name", "reply", "error"]
    list_select_related = ["lead"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AgentTurn._meta.fields]
    inlines = [LLMCallInline]

    @admin.display(description="Reply")
    def short_reply(self, turn):
        return turn.reply[:80]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a record of what happened


@admin.register(LLMCall)
class LLMCallAdmin(admin.ModelAdmin):
    ordering = ["-created_at"]  # newest first
    list_display = [
        "created_at", "provider", "model", "outcome", "status_code", "duration_ms", "input_tokens",
        "output_tokens", "cache_read_tokens", "cost_usd", "turn",
    ]  # fmt: skip
    list_filter = ["provider", "model", "outcome", "status_code", "created_at"]
    search_fields = ["request_id", "error", "turn__lead__phone"]
    list_select_related = ["turn"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in LLMCall._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
