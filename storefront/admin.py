from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from storefront.models import Reseller, User


class ResellerUserInline(admin.TabularInline):
    model = User
    fields = ("email", "first_name", "last_name", "language", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Reseller)
class ResellerAdmin(admin.ModelAdmin):
    list_display = (
        "company_name",
        "vat_number",
        "mpn_id",
        "mpn_status",
        "mpn_checked_at",
        "markup_percent_override",
        "is_active",
    )
    list_filter = ("mpn_status", "is_active")
    search_fields = ("company_name", "vat_number", "mpn_id", "partner_center_tenant_id")
    readonly_fields = (
        "partner_center_tenant_id",
        "mpn_status",
        "mpn_status_reason",
        "mpn_checked_at",
        "created_at",
    )
    inlines = [ResellerUserInline]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "reseller", "is_staff", "is_active")
    list_filter = ("is_staff", "is_active", "reseller")
    search_fields = ("email", "first_name", "last_name", "reseller__company_name")
    list_select_related = ("reseller",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Dati personali"), {"fields": ("first_name", "last_name", "language", "reseller")}),
        (
            _("Permessi"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Date"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "reseller", "password1", "password2")}),
    )
