from django.contrib import admin

from conversations.models import AgentTurn, ContactRule, LLMCall, Message, MessageStatus


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = [
        "created_at", "direction", "lead", "sender", "kind", "status", "short_body",
        "error_code", "attempts",
    ]  # fmt: skip
    list_filter = ["status", "direction", "sender", "kind", "error_code", "created_at"]
    search_fields = ["to_number", "from_number", "body", "provider_sid", "lead__last_name"]
    list_select_related = ["lead"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Message._meta.fields]
    actions = ["requeue_unknown"]

    @admin.display(description="Text")
    def short_body(self, message):
        return message.body[:80]

    @admin.action(description="Send again (only texts marked unknown, after checking the phone)")
    def requeue_unknown(self, request, queryset):
        count = queryset.filter(status=MessageStatus.UNKNOWN).update(
            status=MessageStatus.QUEUED, retry_at=None
        )
        self.message_user(request, f"{count} text(s) queued again; the sweeper sends them.")

    def has_add_permission(self, request):
        return False


@admin.register(ContactRule)
class ContactRuleAdmin(admin.ModelAdmin):
    list_display = [
        "state", "start_hour", "end_hour", "max_per_24h", "skip_sundays", "skip_state_holidays",
        "paused", "note",
    ]  # fmt: skip
    list_editable = ["start_hour", "end_hour", "max_per_24h", "skip_sundays", "skip_state_holidays", "paused"]
    list_filter = ["paused"]
    actions = ["pause", "resume"]

    @admin.action(description="Pause scheduled texts (emergency; '*' pauses every state)")
    def pause(self, request, queryset):
        count = queryset.update(paused=True)
        self.message_user(request, f"{count} rule(s) paused: scheduled texts wait until resumed.")

    @admin.action(description="Resume scheduled texts")
    def resume(self, request, queryset):
        count = queryset.update(paused=False)
        self.message_user(request, f"{count} rule(s) resumed.")


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
        "request_id",
        "error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(AgentTurn)
class AgentTurnAdmin(admin.ModelAdmin):
    """Every answer of the assistant: who wrote it, how long it took, whether it fell back."""

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
    list_display = ["created_at", "provider", "model", "outcome", "status_code", "duration_ms", "turn"]
    list_filter = ["provider", "model", "outcome", "status_code", "created_at"]
    search_fields = ["request_id", "error", "turn__lead__phone"]
    list_select_related = ["turn"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in LLMCall._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
