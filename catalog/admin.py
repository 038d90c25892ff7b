from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from catalog.models import Plan, Price, PriceRule, Product, Sku


class SkuInline(admin.TabularInline):
    model = Sku
    fields = ("sku_id", "title", "min_quantity", "max_quantity", "is_addon")
    readonly_fields = ("sku_id", "title")
    extra = 0
    show_change_link = True


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("product_id", "title", "family", "updated_at")
    list_filter = ("family",)
    search_fields = ("product_id", "title", "family", "skus__title", "skus__sku_id")
    readonly_fields = ("created_at", "updated_at")
    inlines = [SkuInline]


class PlanInline(admin.TabularInline):
    model = Plan
    fields = ("term", "billing", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Sku)
class SkuAdmin(admin.ModelAdmin):
    list_display = (
        "catalog_id",
        "title",
        "min_quantity",
        "max_quantity",
        "is_addon",
        "allows_quantity_above_base",
        "synced_at",
    )
    list_filter = ("is_addon", "allows_quantity_above_base", "product__family")
    search_fields = ("product__product_id", "sku_id", "title", "provisioning_id")
    list_select_related = ("product",)
    autocomplete_fields = ("product",)
    filter_horizontal = ("prerequisites",)
    readonly_fields = ("synced_at",)
    inlines = [PlanInline]

    @admin.display(description=_("ID prodotto:ID SKU"), ordering="product__product_id")
    def catalog_id(self, sku: Sku) -> str:
        return sku.catalog_id


class PriceInline(admin.TabularInline):
    model = Price
    fields = ("effective_start", "effective_end", "cost_price", "erp_price")
    extra = 0


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ("__str__", "product_id", "term", "billing", "is_active")
    list_filter = ("is_active", "term", "billing", "sku__is_addon", "sku__product__family")
    search_fields = ("sku__product__product_id", "sku__sku_id", "sku__title")
    list_select_related = ("sku__product",)
    autocomplete_fields = ("sku",)
    inlines = [PriceInline]

    @admin.display(description=_("ID prodotto"), ordering="sku__product__product_id")
    def product_id(self, plan: Plan) -> str:
        return plan.sku.product.product_id


@admin.register(Price)
class PriceAdmin(admin.ModelAdmin):
    list_display = ("plan", "cost_price", "erp_price", "effective_start", "effective_end")
    list_filter = ("plan__term", "plan__billing", "plan__is_active", "effective_start")
    search_fields = ("plan__sku__product__product_id", "plan__sku__sku_id", "plan__sku__title")
    list_select_related = ("plan__sku__product",)
    raw_id_fields = ("plan",)
    date_hierarchy = "effective_start"


@admin.register(PriceRule)
class PriceRuleAdmin(admin.ModelAdmin):
    """One row, created by the migration; resellers' overrides are on the reseller."""

    list_display = ("__str__", "default_markup_percent", "updated_at")
    readonly_fields = ("updated_at",)

    def has_add_permission(self, request) -> bool:
        return not PriceRule.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
