"""Reads of customers and their tenants.

Querysets come in already scoped to the reseller (views call ``reseller_scoped``); these functions
only narrow and shape them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from tenants.models import Customer
from tenants.names import ONMICROSOFT_SUFFIX

CUSTOMER_SEARCH_FIELDS = (
    "company_name",
    "vat_number",
    "fiscal_code",
    "tenant_domain_prefix",
    "city",
    "contact_email",
    "contact_last_name",
)


def customer_search(*, customers: QuerySet[Customer], search: str = "") -> QuerySet[Customer]:
    """The customers matching every word of ``search`` in name, VAT, tenant, city or contact."""
    for word in search.split():
        word = word.removesuffix(ONMICROSOFT_SUFFIX)
        matches = Q()
        for field_name in CUSTOMER_SEARCH_FIELDS:
            matches |= Q(**{f"{field_name}__icontains": word})
        customers = customers.filter(matches)
    return customers.order_by("company_name", "pk")


@dataclass(frozen=True)
class TenantChoice:
    """The tenant of the customer being bought for, as last checked against Partner Center."""

    prefix: str
    is_taken: bool
    is_relationship_accepted: bool
    partner_center_customer_id: str
    partner_center_company_name: str
    checked_at: datetime | None

    @property
    def domain(self) -> str:
        return self.prefix + ONMICROSOFT_SUFFIX

    @property
    def branch(self) -> str:
        """The guide's branch: "A" an existing tenant, "B" a new one to create."""
        return "A" if self.is_taken else "B"

    @property
    def is_waiting_for_relationship(self) -> bool:
        return self.is_taken and not self.is_relationship_accepted

    @classmethod
    def from_customer(cls, customer: Customer) -> "TenantChoice":
        return cls(
            prefix=customer.tenant_domain_prefix,
            is_taken=customer.tenant_kind == Customer.TenantKind.EXISTING,
            is_relationship_accepted=customer.relationship_state
            == Customer.RelationshipState.ACCEPTED,
            partner_center_customer_id=str(customer.partner_center_customer_id or ""),
            partner_center_company_name=customer.partner_center_company_name,
            checked_at=customer.relationship_checked_at,
        )
