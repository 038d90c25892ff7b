"""Writes of the tenants app; split by what they touch (SPEC §5.2–5.3, the checkout wizard)."""

from tenants.services.checkout import (
    checkout_draft_choose_customer,
    checkout_draft_get_or_create,
    checkout_draft_record_prefix_check,
    checkout_draft_save_company,
    checkout_draft_save_mpn,
    checkout_draft_save_prefix,
    checkout_place_order,
)
from tenants.services.mpn import (
    MpnValidation,
    ResellerRevalidation,
    reseller_recheck_mpn_before_order,
    reseller_validate_mpn,
    resellers_revalidate_mpn,
)
from tenants.services.partner_center import (
    PrefixCheck,
    RelationshipCheck,
    TenantMatch,
    customer_check_relationship,
    reseller_invitation_url,
    tenant_check_prefix,
)

__all__ = [
    "MpnValidation",
    "PrefixCheck",
    "RelationshipCheck",
    "ResellerRevalidation",
    "TenantMatch",
    "checkout_draft_choose_customer",
    "checkout_draft_get_or_create",
    "checkout_draft_record_prefix_check",
    "checkout_draft_save_company",
    "checkout_draft_save_mpn",
    "checkout_draft_save_prefix",
    "checkout_place_order",
    "customer_check_relationship",
    "reseller_invitation_url",
    "reseller_recheck_mpn_before_order",
    "reseller_validate_mpn",
    "resellers_revalidate_mpn",
    "tenant_check_prefix",
]
