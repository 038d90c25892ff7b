"""Writes of the tenants app: the «Domain Prefix» check and the reseller relationship."""

from tenants.services.partner_center import (
    PrefixCheck,
    PrefixCheckOutcome,
    RelationshipCheck,
    TenantMatch,
    customer_check_relationship,
    reseller_invitation_url,
    tenant_check_prefix,
)

__all__ = [
    "PrefixCheck",
    "PrefixCheckOutcome",
    "RelationshipCheck",
    "TenantMatch",
    "customer_check_relationship",
    "reseller_invitation_url",
    "tenant_check_prefix",
]
