from django.contrib import admin

from partnercenter.models import PartnerCenterCall


@admin.register(PartnerCenterCall)
class PartnerCenterCallAdmin(admin.ModelAdmin):
    """Read-only: the log is written by the client, never edited."""

    list_display = (
        "created_at",
        "operation",
        "method",
        "path",
        "status",
        "error_code",
        "error_class",
        "duration_ms",
        "ms_request_id",
        "order_id",
    )
    list_filter = ("status", "method", "error_code", "operation")
    search_fields = ("=ms_request_id", "=ms_correlation_id")
    date_hierarchy = "created_at"
    list_per_page = 100
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
