"""The e-mail outbox for staff, read-only: what was sent to whom, and what failed and why."""

from django.contrib import admin

from notifications.models import Email


@admin.register(Email)
class EmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "order", "kind", "key", "status", "attempts", "sent_at")
    list_filter = ("kind", "status", ("created_at", admin.DateFieldListFilter))
    list_select_related = ("order",)
    search_fields = ("subject", "recipients", "order__tenant_domain")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
