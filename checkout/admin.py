from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from checkout.models import Cart, CartLine, TermsAcceptance, TermsVersion


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    """Staff publish new versions; one already accepted is evidence and stays as it was."""

    list_display = ["version", "title", "published_at", "acceptance_count"]
    search_fields = ["version", "title"]
    date_hierarchy = "published_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(acceptance_count=Count("termsacceptance"))

    @admin.display(description=_("accettazioni"), ordering="acceptance_count")
    def acceptance_count(self, obj: TermsVersion) -> int:
        return obj.acceptance_count

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and self._is_used(obj):
            return ["version", "title", "body", "published_at"]
        return []

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and self._is_used(obj):
            return False
        return super().has_delete_permission(request, obj)

    @staticmethod
    def _is_used(terms: TermsVersion) -> bool:
        return TermsAcceptance.objects.filter(terms_version=terms).exists()


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["accepted_at", "user", "reseller", "terms_version", "ip_address"]
    list_filter = ["terms_version"]
    list_select_related = ["user", "reseller", "terms_version"]
    search_fields = ["user__email", "reseller__company_name", "ip_address"]
    date_hierarchy = "accepted_at"


class CartLineInline(admin.TabularInline):
    model = CartLine
    fields = ["plan", "quantity", "base_line", "unit_price_seen", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan__sku", "base_line__plan__sku")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Cart)
class CartAdmin(ReadOnlyAdmin):
    """Carts are the resellers' own: staff look, to help on the phone, and never edit them."""

    list_display = [
        "pk",
        "user",
        "reseller",
        "status",
        "line_count",
        "checkout_started_at",
        "updated_at",
    ]
    list_filter = ["status", "purchase_type"]
    list_select_related = ["user", "reseller"]
    search_fields = ["user__email", "reseller__company_name", "checkout_token"]
    readonly_fields = [
        "user",
        "reseller",
        "status",
        "checkout_token",
        "purchase_type",
        "terms_acceptance",
        "checkout_started_at",
        "created_at",
        "updated_at",
    ]
    inlines = [CartLineInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(line_count=Count("lines"))

    @admin.display(description=_("righe"), ordering="line_count")
    def line_count(self, obj: Cart) -> int:
        return obj.line_count
