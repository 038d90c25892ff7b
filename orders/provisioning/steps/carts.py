"""The steps on the Partner Center cart: create it with the order's lines, then submit it (the
POST …/carts/{id}/checkout that Microsoft calls "checkout"; here "checkout" is only our own cart
page), which turns it into Partner Center orders and subscriptions."""

from django.utils import timezone

from orders.models import FailureReason, Order, OrderEvent, OrderLine
from orders.provisioning.errors import BUSINESS_ERRORS, StepFailed, failure_from_code
from orders.provisioning.recording import (
    order_update_if_provisioning,
    partner_center_post,
    step_done,
)
from orders.services.status import Failure
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient

Step = OrderEvent.Step

STALE_CATALOG_ITEM = "catalog_item_id_is_not_valid"  # the sandbox's (and SDK's) CartErrorCode


def _lines_to_order(order: Order) -> list[OrderLine]:
    """Lines not in a Partner Center order yet (all of them, unless a submission half failed)."""
    return list(order.lines.filter(partner_center_order_id="").order_by("position"))


def step_ensure_cart(order: Order, client: PartnerCenterClient) -> None:
    if order.partner_center_cart_id or order.cart_submitted_at is not None:
        return None
    lines = _lines_to_order(order)
    is_new_request = not order.cart_request_id
    if is_new_request:
        # catalogItemIds change over time, so they are fetched right before a new cart. A cart
        # whose creation had an unknown outcome is repeated exactly, with the ids it was sent with.
        _refresh_catalog_item_ids(lines, client)
    cart = partner_center_post(
        order,
        "cart_request_id",
        lambda request_id: client.create_cart(
            request_id=request_id,
            customer_id=order.partner_center_customer_id,
            lines=[_cart_line_request(order, line) for line in lines],
        ),
    )
    if cart.line_errors:
        order_update_if_provisioning(order, cart_request_id="")
        if not is_new_request and _has_stale_catalog_item(cart):
            # The repeated cart's ids expired meanwhile: a new cart with current ones.
            return step_ensure_cart(order, client)
        error = cart.line_errors[0].error
        raise StepFailed(failure_from_code(code=error.code, description=error.description))
    step_done(
        order,
        step=Step.CART,
        facts={"cart_id": cart.id, "line_count": len(lines)},
        partner_center_cart_id=cart.id,
    )
    return None


def _has_stale_catalog_item(cart: pc.Cart) -> bool:
    return any(line.error.code == STALE_CATALOG_ITEM for line in cart.line_errors)


def _refresh_catalog_item_ids(lines: list[OrderLine], client: PartnerCenterClient) -> None:
    availabilities = {}
    for product_id, sku_id in dict.fromkeys((line.product_id, line.sku_id) for line in lines):
        availabilities[product_id, sku_id] = client.list_availabilities(product_id, sku_id)
    for line in lines:
        offered = [
            availability
            for availability in availabilities[line.product_id, line.sku_id]
            if availability.offers(term_duration=line.term, billing_cycle=line.billing)
        ]
        if not offered:
            raise StepFailed(
                Failure(
                    reason=FailureReason.PARTNER_CENTER_REJECTED,
                    code="offer_unavailable",
                    detail=f"{line.product_id}:{line.sku_id} {line.term} {line.billing} "
                    "non è più disponibile in Partner Center.",
                )
            )
        line.catalog_item_id = offered[0].catalog_item_id
    OrderLine.objects.bulk_update(lines, ["catalog_item_id"])


def _cart_line_request(order: Order, line: OrderLine) -> pc.CartLineRequest:
    return pc.CartLineRequest(
        catalog_item_id=line.catalog_item_id,
        quantity=line.quantity,
        term_duration=line.term,
        billing_cycle=line.billing,
        transaction_reseller_mpn_id=order.mpn_id,
    )


def step_submit_cart(order: Order, client: PartnerCenterClient) -> None:
    if order.cart_submitted_at is not None:
        return None
    lines = _lines_to_order(order)
    try:
        result = partner_center_post(
            order,
            "cart_submit_request_id",
            lambda request_id: client.checkout_cart(
                request_id=request_id,
                customer_id=order.partner_center_customer_id,
                cart_id=order.partner_center_cart_id,
            ),
        )
    except BUSINESS_ERRORS:
        # Refused for good: whatever is fixed before a retry, the retry starts from a new cart.
        order_update_if_provisioning(order, partner_center_cart_id="", cart_request_id="")
        raise
    ordered = _assign_order_line_items(lines, result)
    if result.order_errors:
        # The lines that did get an order keep it; a retry puts the others in a new cart.
        error = result.order_errors[0]
        order_update_if_provisioning(
            order, partner_center_cart_id="", cart_request_id="", cart_submit_request_id=""
        )
        raise StepFailed(failure_from_code(code=error.code, description=error.description))
    if len(ordered) < len(lines):
        raise StepFailed(
            Failure(
                reason=FailureReason.PARTNER_CENTER_REJECTED,
                code="cart_submit_unmatched",
                detail="L'invio del carrello non ha restituito un ordine per ogni riga: "
                "verificare in Partner Center prima di riprovare.",
            )
        )
    step_done(
        order,
        step=Step.CART_SUBMITTED,
        facts={"partner_center_order_ids": [order_.id for order_ in result.orders]},
        cart_submitted_at=timezone.now(),
    )
    return None


def _assign_order_line_items(lines: list[OrderLine], result: pc.CheckoutResult) -> list[OrderLine]:
    """Give each line the Partner Center order (and subscription) of its order line item."""
    unassigned = list(lines)
    assigned = []
    for partner_center_order in result.orders:
        for item in partner_center_order.line_items:
            line = next(
                (
                    candidate
                    for candidate in unassigned
                    if candidate.catalog_item_id == item.offer_id
                    and candidate.quantity == item.quantity
                ),
                None,
            )
            if line is None:
                continue
            unassigned.remove(line)
            line.partner_center_order_id = partner_center_order.id
            line.partner_center_subscription_id = item.subscription_id
            assigned.append(line)
    OrderLine.objects.bulk_update(
        assigned, ["partner_center_order_id", "partner_center_subscription_id"]
    )
    return assigned
