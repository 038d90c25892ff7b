"""Carts, checkout results, orders and subscriptions."""

from dataclasses import dataclass, field
from datetime import datetime


def _parse_datetime(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class CartLineRequest:
    """One line to buy; an add-on is a line of its own."""

    catalog_item_id: str
    quantity: int
    term_duration: str
    billing_cycle: str  # "monthly" or "annual"
    transaction_reseller_mpn_id: str

    def to_json(self, line_id: int) -> dict:
        return {
            "id": line_id,
            "catalogItemId": self.catalog_item_id,
            "quantity": self.quantity,
            "billingCycle": self.billing_cycle,
            "termDuration": self.term_duration,
            "participants": [
                {"key": "transaction_reseller", "value": self.transaction_reseller_mpn_id}
            ],
        }


@dataclass(frozen=True)
class CartLineError:
    code: str
    description: str


@dataclass(frozen=True)
class CartLine:
    """A line of a created cart.

    ``addon_items`` are the add-on lines Partner Center nests under their base line (legacy
    offers, and carts built that way): they are lines of the cart as much as the top-level ones.
    """

    id: int
    catalog_item_id: str
    quantity: int
    term_duration: str
    billing_cycle: str
    order_group: str
    error: CartLineError | None
    addon_items: tuple["CartLine", ...] = ()

    @classmethod
    def from_json(cls, data: dict) -> "CartLine":
        error = data.get("error")
        return cls(
            id=int(data["id"]),
            catalog_item_id=data["catalogItemId"],
            quantity=int(data["quantity"]),
            term_duration=data.get("termDuration") or "",
            billing_cycle=data.get("billingCycle") or "",
            order_group=str(data.get("orderGroup") or ""),
            error=CartLineError(
                code=str(error.get("errorCode", "")), description=error.get("errorDescription", "")
            )
            if error
            else None,
            addon_items=tuple(cls.from_json(addon) for addon in data.get("addonItems") or ()),
        )


@dataclass(frozen=True)
class Cart:
    id: str
    status: str
    lines: tuple[CartLine, ...]

    @property
    def all_lines(self) -> tuple[CartLine, ...]:
        """Every line, each add-on nested under its base line right after it."""
        return tuple(_flattened(self.lines))

    @property
    def line_errors(self) -> tuple[CartLine, ...]:
        """Lines with an error, nested add-on lines included: any of them stops the checkout."""
        return tuple(line for line in self.all_lines if line.error is not None)

    @classmethod
    def from_json(cls, data: dict) -> "Cart":
        return cls(
            id=data["id"],
            status=data.get("status", ""),
            lines=tuple(CartLine.from_json(line) for line in data.get("lineItems") or ()),
        )


def _flattened(lines: tuple[CartLine, ...]):
    for line in lines:
        yield line
        yield from _flattened(line.addon_items)


@dataclass(frozen=True)
class OrderLineItem:
    line_item_number: int
    offer_id: str
    subscription_id: str
    quantity: int
    term_duration: str
    friendly_name: str
    partner_id_on_record: str

    @classmethod
    def from_json(cls, data: dict) -> "OrderLineItem":
        return cls(
            line_item_number=int(data.get("lineItemNumber", 0)),
            offer_id=data.get("offerId", ""),
            subscription_id=data.get("subscriptionId") or "",
            quantity=int(data.get("quantity", 0)),
            term_duration=data.get("termDuration", ""),
            friendly_name=data.get("friendlyName", ""),
            partner_id_on_record=str(data.get("partnerIdOnRecord") or ""),
        )


@dataclass(frozen=True)
class Order:
    id: str
    customer_id: str
    status: str  # "pending", then "completed"
    billing_cycle: str
    creation_date: datetime | None
    line_items: tuple[OrderLineItem, ...]

    @property
    def is_completed(self) -> bool:
        return self.status.lower() == "completed"

    @classmethod
    def from_json(cls, data: dict) -> "Order":
        return cls(
            id=data["id"],
            customer_id=data.get("referenceCustomerId", ""),
            status=data["status"],
            billing_cycle=data.get("billingCycle", ""),
            creation_date=_parse_datetime(data.get("creationDate")),
            line_items=tuple(OrderLineItem.from_json(line) for line in data.get("lineItems") or ()),
        )


@dataclass(frozen=True)
class OrderError:
    order_group_id: str
    code: str
    description: str

    @classmethod
    def from_json(cls, data: dict) -> "OrderError":
        return cls(
            order_group_id=str(data.get("orderGroupId", "")),
            code=str(data.get("code", "")),
            description=data.get("description", ""),
        )


@dataclass(frozen=True)
class CheckoutResult:
    """Checkout may succeed for some order groups and fail for others."""

    orders: tuple[Order, ...]
    order_errors: tuple[OrderError, ...]

    @classmethod
    def from_json(cls, data: dict) -> "CheckoutResult":
        return cls(
            orders=tuple(Order.from_json(order) for order in data.get("orders") or ()),
            order_errors=tuple(
                OrderError.from_json(error) for error in data.get("orderErrors") or ()
            ),
        )


@dataclass(frozen=True)
class RefundBucket:
    """Seats of one purchase or seat addition that may still be removed, and until when."""

    quantity: int
    allowed_until: datetime

    @classmethod
    def from_json(cls, data: dict) -> "RefundBucket":
        allowed_until = _parse_datetime(data["allowedUntilDateTime"])
        if allowed_until is None:
            raise ValueError("refund bucket without allowedUntilDateTime")
        return cls(quantity=int(data["quantity"]), allowed_until=allowed_until)


@dataclass(frozen=True)
class Subscription:
    """A Partner Center subscription; ``raw`` is the whole resource as read, which a PATCH sends
    back with only the changed fields altered (Microsoft asks for the full resource)."""

    id: str
    offer_id: str
    offer_name: str
    friendly_name: str
    quantity: int
    status: str  # "pending", "active", "suspended", "deleted", "expired", "disabled"
    term_duration: str
    billing_cycle: str
    order_id: str
    partner_id: str
    creation_date: datetime | None
    commitment_end_date: datetime | None
    entitlement_id: str = ""
    parent_subscription_id: str = ""
    auto_renew_enabled: bool = True
    effective_start_date: datetime | None = None
    cancellation_allowed_until: datetime | None = None
    refundable_quantity: int = 0
    refund_buckets: tuple[RefundBucket, ...] = ()
    contract_type: str = ""
    actions: tuple[str, ...] = ()
    etag: str = ""
    # The renewal plan as Partner Center holds it (``scheduledNextTermInstructions``), or None.
    scheduled_next_term: dict | None = None
    raw: dict = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def is_active(self) -> bool:
        return self.status.lower() == "active"

    @classmethod
    def from_json(cls, data: dict) -> "Subscription":
        refundable = data.get("refundableQuantity") or {}
        attributes = data.get("attributes") or {}
        return cls(
            id=data["id"],
            offer_id=data.get("offerId", ""),
            offer_name=data.get("offerName", ""),
            friendly_name=data.get("friendlyName", ""),
            quantity=int(data.get("quantity", 0)),
            status=data["status"],
            term_duration=data.get("termDuration", ""),
            billing_cycle=data.get("billingCycle", ""),
            order_id=data.get("orderId", ""),
            partner_id=str(data.get("partnerId") or ""),
            creation_date=_parse_datetime(data.get("creationDate")),
            commitment_end_date=_parse_datetime(data.get("commitmentEndDate")),
            entitlement_id=str(data.get("entitlementId") or ""),
            parent_subscription_id=str(data.get("parentSubscriptionId") or ""),
            auto_renew_enabled=bool(data.get("autoRenewEnabled", True)),
            effective_start_date=_parse_datetime(data.get("effectiveStartDate")),
            cancellation_allowed_until=_parse_datetime(data.get("cancellationAllowedUntilDate")),
            refundable_quantity=int(refundable.get("totalQuantity") or 0),
            refund_buckets=tuple(
                RefundBucket.from_json(bucket) for bucket in refundable.get("details") or ()
            ),
            contract_type=str(data.get("contractType") or ""),
            actions=tuple(str(action) for action in data.get("actions") or ()),
            etag=str(attributes.get("etag") or ""),
            scheduled_next_term=_next_term(data.get("scheduledNextTermInstructions")),
            raw=dict(data),
        )


@dataclass(frozen=True)
class SubscriptionUpdate:
    """The answer to a PATCH: 200 with the changed subscription, or 202 accepted (``location``
    to poll) when Partner Center finishes the change later."""

    is_accepted_for_later: bool
    subscription: Subscription | None
    location: str = ""


@dataclass(frozen=True)
class PartnerValidation:
    """One result of POST /v1/partners/validateresellers."""

    partner_id: str
    is_valid: bool
    error_code: str = ""
    error_description: str = ""

    @classmethod
    def from_json(cls, data: dict) -> "PartnerValidation":
        return cls(
            partner_id=str(data["partnerId"]),
            is_valid=bool(data["isValidPartnerIdOnRecord"]),
            error_code=str(data.get("errorCode") or ""),
            error_description=str(data.get("errorDescription") or ""),
        )


def _next_term(data) -> dict | None:
    """``scheduledNextTermInstructions`` in the mirror's words, None when no plan is set (null,
    or an empty object: which one Partner Center answers is unconfirmed)."""
    if not isinstance(data, dict) or not isinstance(data.get("product"), dict):
        return None
    product = data["product"]
    return {
        "product_id": str(product.get("productId") or ""),
        "sku_id": str(product.get("skuId") or ""),
        "availability_id": str(product.get("availabilityId") or ""),
        "term": str(product.get("termDuration") or ""),
        "billing": str(product.get("billingCycle") or "").lower(),
        "quantity": int(data.get("quantity") or 0),
    }
