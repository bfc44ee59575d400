from django.contrib import admin

from integrations.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "token_prefix", "active", "created_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "token_prefix"]
    readonly_fields = ["token_prefix", "token_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # Tokens are minted by `manage.py create_api_client`, which shows the token once.
        return False
