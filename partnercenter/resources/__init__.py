"""The Partner Center resources the storefront uses, as small frozen dataclasses.

Each ``from_json`` reads Partner Center's camelCase response shape (documented in the Partner
Center REST reference: Customer, PartnerRelationship, Sku, Availability, Cart, Order,
Subscription); requests are built by ``to_json`` in the casing of Microsoft's examples. A missing
required key raises KeyError, which the client reports as PartnerCenterInvalidResponse.
"""

from partnercenter.resources.catalog import Availability, Product, Sku, Term
from partnercenter.resources.commerce import (
    Cart,
    CartLine,
    CartLineError,
    CartLineRequest,
    CheckoutResult,
    Order,
    OrderError,
    OrderLineItem,
    PartnerValidation,
    RefundBucket,
    Subscription,
    SubscriptionUpdate,
)
from partnercenter.resources.customers import (
    Address,
    AdminCredentials,
    AgreementContact,
    AgreementStatus,
    AgreementTemplate,
    CreatedCustomer,
    CustomerAgreement,
    CustomerSummary,
    IndirectReseller,
    NewCustomer,
)
from partnercenter.resources.transitions import (
    ADDONS_PRESENT_CODE,
    TargetSubscription,
    Transition,
    TransitionEligibility,
    TransitionError,
    TransitionEvent,
)

__all__ = [
    "ADDONS_PRESENT_CODE",
    "Address",
    "AdminCredentials",
    "AgreementContact",
    "AgreementStatus",
    "AgreementTemplate",
    "Availability",
    "Cart",
    "CartLine",
    "CartLineError",
    "CartLineRequest",
    "CheckoutResult",
    "CreatedCustomer",
    "CustomerAgreement",
    "CustomerSummary",
    "IndirectReseller",
    "NewCustomer",
    "Order",
    "OrderError",
    "OrderLineItem",
    "PartnerValidation",
    "Product",
    "RefundBucket",
    "Sku",
    "Subscription",
    "SubscriptionUpdate",
    "TargetSubscription",
    "Term",
    "Transition",
    "TransitionEligibility",
    "TransitionError",
    "TransitionEvent",
]
