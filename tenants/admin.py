from django.contrib import admin

from tenants.models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "company_name",
        "vat_number",
        "tenant_domain_prefix",
        "tenant_kind",
        "relationship_state",
        "reseller",
        "created_at",
    ]
    list_filter = ["tenant_kind", "relationship_state", "reseller"]
    search_fields = ["company_name", "vat_number", "tenant_domain_prefix", "contact_email"]
    readonly_fields = [
        "partner_center_customer_id",
        "partner_center_company_name",
        "relationship_checked_at",
        "created_at",
        "updated_at",
    ]
    list_select_related = ["reseller"]
