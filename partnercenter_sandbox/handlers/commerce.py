"""Carts, checkout, orders and subscriptions, with Partner Center's checks and timing.

- Cart creation: 20002 without a relationship; a line with a stale or unknown catalogItemId, a
  term the availability does not offer, a quantity under the minimum or an add-on without its
  base product comes back with ``error`` (errorCode as the SDK's CartErrorCode, snake_case).
- Checkout: lines are grouped by term and billing cycle into order groups; a group fails as a
  whole into ``orderErrors`` for a bad partner of record (3000 unknown MPN, 2072 the
  distributor's own, 900154 not an active, signed indirect reseller) or too many seats (800088).
  Checking out the same cart again repeats the first result, as Microsoft documents.
- Timing is computed from creation time, so no background work is needed: an order answers 404
  20000 for ``order_not_found_seconds``, is "pending" for ``order_completion_seconds``, then
  "completed"; subscriptions are "pending" for ``subscription_activation_seconds``, then "active".
- Duplicates: an order whose lines equal an earlier order's for the same customer (same SKUs,
  quantities, terms, billing, partner of record) is counted, with its subscriptions; a cart
  without line errors is signed the same way, so that the store can count the orphans
  (store.SandboxStore.duplicates).
"""

import uuid

from partnercenter_sandbox import demo
from partnercenter_sandbox.handlers import subscriptions as subscription_handlers
from partnercenter_sandbox.handlers.customers import related_customer
from partnercenter_sandbox.handlers.subscription_state import new_subscription
from partnercenter_sandbox.http import (
    RequestContext,
    SandboxResponse,
    api_error,
    iso,
    link,
    pick,
)

CART_LIFETIME_SECONDS = 7 * 24 * 3600


# --- Carts ---------------------------------------------------------------------------------


def cart_create(ctx: RequestContext) -> SandboxResponse:
    customer = related_customer(ctx, ctx.args["customer_id"])
    requested = pick(ctx.json(), "lineItems")
    if not isinstance(requested, list) or not requested:
        raise api_error(400, 800002, "Invalid request input: lineItems is required.")
    lines = [
        _cart_line(ctx, customer, requested, index, item) for index, item in enumerate(requested)
    ]
    groups: dict[tuple, str] = {}
    for line in lines:
        key = (line["termDuration"], line["billingCycle"])
        line["orderGroup"] = groups.setdefault(key, str(len(groups)))
    cart = {
        "id": str(uuid.uuid4()),
        "customer_id": customer["id"],
        "status": "Active",
        "created_at": ctx.now,
        "lines": lines,
        "checkout": None,
        "signature": None if any("error" in line for line in lines) else _signature(lines),
    }
    ctx.store.put("cart", cart["id"], cart)
    return SandboxResponse(201, cart_json(cart))


def _cart_line(ctx: RequestContext, customer: dict, requested: list, index: int, item) -> dict:
    line = {
        "id": pick(item, "id", default=index),
        "catalogItemId": str(pick(item, "catalogItemId", default="")),
        "quantity": pick(item, "quantity", default=0),
        "currencyCode": demo.catalog()["currency"]["code"],
        "billingCycle": str(pick(item, "billingCycle", default="")).lower(),
        "termDuration": str(pick(item, "termDuration", default="")),
        "participants": pick(item, "participants", default=[]),
        "provisioningContext": {},
    }
    error = _line_error(ctx, customer, requested, line)
    if error:
        line["error"] = {"errorCode": error[0], "errorDescription": error[1]}
    return line


def _line_error(ctx: RequestContext, customer: dict, requested: list, line: dict):
    parts = line["catalogItemId"].split(":")
    found = demo.find_sku(*parts[:2]) if len(parts) == 3 else None
    if found is None or ctx.store.availability_id(*parts[:2]) != parts[2]:
        return "catalog_item_id_is_not_valid", f"Catalog item {line['catalogItemId']} is not valid."
    product, sku = found
    if [line["termDuration"], line["billingCycle"].capitalize()] not in sku["terms"]:
        return "invalid_input", (
            f"Term {line['termDuration']} with {line['billingCycle']} billing is not available."
        )
    if not isinstance(line["quantity"], int) or line["quantity"] < sku["minimumQuantity"]:
        return "invalid_input", f"Quantity must be at least {sku['minimumQuantity']}."
    if sku["isAddon"] and not _has_base_product(ctx, customer, requested, sku):
        bases = ", ".join(sku["prerequisiteSkus"])
        return "unable_to_process_cart_line_item", (
            f"The add-on {product['id']}:{sku['id']} needs one of {bases}."
        )
    return None


def _has_base_product(ctx: RequestContext, customer: dict, requested: list, sku: dict) -> bool:
    in_cart = {
        ":".join(str(pick(item, "catalogItemId", default="")).split(":")[:2]) for item in requested
    }
    owned = {
        subscription["offer_id"]
        for subscription in ctx.store.all("subscription")
        if subscription["customer_id"] == customer["id"]
    }
    return bool(set(sku["prerequisiteSkus"]) & (in_cart | owned))


def cart_json(cart: dict) -> dict:
    return {
        "id": cart["id"],
        "creationTimestamp": iso(cart["created_at"]),
        "lastModifiedTimestamp": iso(cart["created_at"]),
        "expirationTimestamp": iso(cart["created_at"] + CART_LIFETIME_SECONDS),
        "lastModifiedUser": cart["customer_id"],
        "status": cart["status"],
        "lineItems": cart["lines"],
        "links": {"self": link(f"/customers/{cart['customer_id']}/carts/{cart['id']}")},
        "attributes": {"objectType": "Cart"},
    }


# --- Checkout ------------------------------------------------------------------------------


def cart_checkout(ctx: RequestContext) -> SandboxResponse:
    customer = related_customer(ctx, ctx.args["customer_id"])
    cart = ctx.store.get("cart", ctx.args["cart_id"])
    if cart is None or cart["customer_id"] != customer["id"]:
        raise api_error(404, 800008, "Unable to retrieve cart Id")
    if cart["checkout"] is not None:
        return SandboxResponse(201, cart["checkout"])
    if any("error" in line for line in cart["lines"]):
        raise api_error(400, 800009, "Error in Cart item(s)")
    if not customer["has_customer_agreement"]:
        raise api_error(
            403,
            13605,
            "A partner confirmation of the customer acceptance of the Microsoft Customer "
            "Agreement must be provided before you can complete this purchase.",
        )
    result = {"orders": [], "orderErrors": []}
    for group, lines in _order_groups(cart).items():
        refusal = _group_refusal(ctx, customer, lines)
        if refusal:
            code, description = refusal
            result["orderErrors"].append(
                {"orderGroupId": group, "code": code, "description": description}
            )
        else:
            result["orders"].append(_place_order(ctx, customer, cart, lines))
    if result["orders"]:
        # Only a cart that produced orders is done; a failed one may be checked out again.
        ctx.store.put("cart", cart["id"], {**cart, "status": "Ordered", "checkout": result})
    return SandboxResponse(201, result)


def _order_groups(cart: dict) -> dict[str, list]:
    groups: dict[str, list] = {}
    for line in cart["lines"]:
        groups.setdefault(line["orderGroup"], []).append(line)
    return groups


def _group_refusal(ctx: RequestContext, customer: dict, lines: list) -> tuple[int, str] | None:
    for line in lines:
        refusal = _partner_of_record_refusal(ctx, _transaction_reseller(line)) or (
            _seat_cap_refusal(ctx, customer, line)
        )
        if refusal:
            return refusal
    return None


def _transaction_reseller(line: dict) -> str:
    for participant in line["participants"] or []:
        if pick(participant, "key") == "transaction_reseller":
            return str(pick(participant, "value", default=""))
    return ""


def _partner_of_record_refusal(ctx: RequestContext, mpn_id: str) -> tuple[int, str] | None:
    if mpn_id == demo.DISTRIBUTOR_MPN_ID:
        return 2072, "MPN Id of Indirect Provider is not valid as Partner On Record"
    reseller = ctx.store.get("reseller", mpn_id) if mpn_id else None
    if reseller is None:
        return 3000, f"MPN profile not found for the transaction_reseller '{mpn_id}'."
    if reseller["relationship_state"] != "Active" or reseller["agreement"] != "signed":
        return 900154, (
            f"The MPN ID {mpn_id} is not linked to an active indirect reseller of this partner."
        )
    return None


def _seat_cap_refusal(ctx: RequestContext, customer: dict, line: dict) -> tuple[int, str] | None:
    offer_id = ":".join(line["catalogItemId"].split(":")[:2])
    _, sku = demo.find_sku(*offer_id.split(":"))
    owned = sum(
        subscription["quantity"]
        for subscription in ctx.store.all("subscription")
        if subscription["customer_id"] == customer["id"]
        and subscription["offer_id"] == offer_id
        and subscription.get("status", "active") in ("active", "suspended")
    )
    remaining = sku["maximumQuantity"] - owned
    if line["quantity"] <= remaining:
        return None
    return 800088, (
        f"The requested number of {line['quantity']} seat/s exceeded the remaining limit of "
        f"{remaining} seats allowed per subscription for the CatalogID - {line['catalogItemId']}"
    )


def _signature(lines: list) -> list[str]:
    """What makes two orders (or carts) of a customer the same purchase."""
    return sorted(
        f"{line['catalogItemId'].rsplit(':', 1)[0]}|{line['quantity']}|{line['termDuration']}"
        f"|{line['billingCycle']}|{_transaction_reseller(line)}"
        for line in lines
    )


def _place_order(ctx: RequestContext, customer: dict, cart: dict, lines: list) -> dict:
    signature = _signature(lines)
    if any(
        order["customer_id"] == customer["id"] and order["signature"] == signature
        for order in ctx.store.all("order")
    ):
        ctx.store.count_duplicate("orders")
        ctx.store.count_duplicate("subscriptions", len(lines))
    order = {
        "id": str(uuid.uuid4()),
        "customer_id": customer["id"],
        "cart_id": cart["id"],
        "billing_cycle": lines[0]["billingCycle"],
        "created_at": ctx.now,
        "signature": signature,
        "line_items": [],
    }
    for number, line in enumerate(lines):
        order["line_items"].append(_subscribe(ctx, customer, order, number, line))
    ctx.store.put("order", order["id"], order)
    return order_json(ctx, order)


def _subscribe(ctx: RequestContext, customer: dict, order: dict, number: int, line: dict) -> dict:
    product, sku = demo.find_sku(*line["catalogItemId"].split(":")[:2])
    subscription = new_subscription(
        ctx,
        customer_id=customer["id"],
        order_id=order["id"],
        offer_id=f"{product['id']}:{sku['id']}",
        offer_name=sku["title"],
        quantity=line["quantity"],
        term_duration=line["termDuration"],
        billing_cycle=line["billingCycle"],
        partner_id=_transaction_reseller(line),
        parent_id=_base_subscription_id(ctx, customer, order, sku),
    )
    return {
        "lineItemNumber": number,
        "offerId": line["catalogItemId"],
        "subscriptionId": subscription["id"],
        "termDuration": line["termDuration"],
        "transactionType": "New",
        "friendlyName": sku["title"],
        "quantity": line["quantity"],
        "partnerIdOnRecord": subscription["partner_id"],
        "links": {
            "subscription": link(f"/customers/{customer['id']}/subscriptions/{subscription['id']}")
        },
    }


def _base_subscription_id(ctx: RequestContext, customer: dict, order: dict, sku: dict) -> str:
    """An add-on's parentSubscriptionId: its base in the same order first, else one owned."""
    if not sku["isAddon"]:
        return ""
    owned = [
        subscription
        for subscription in ctx.store.all("subscription")
        if subscription["customer_id"] == customer["id"]
        and subscription["offer_id"] in sku["prerequisiteSkus"]
        and subscription["status"] in ("active", "suspended")
    ]
    owned.sort(key=lambda subscription: subscription["order_id"] != order["id"])
    return owned[0]["id"] if owned else ""


# --- Orders and subscriptions ------------------------------------------------------------


def _has_settled(ctx: RequestContext, created_at: float, delay_name: str) -> bool:
    return ctx.now >= created_at + ctx.store.delays()[delay_name]


def order_json(ctx: RequestContext, order: dict) -> dict:
    is_completed = _has_settled(ctx, order["created_at"], "order_completion_seconds")
    return {
        "id": order["id"],
        "alternateId": order["id"].replace("-", "")[:12],
        "referenceCustomerId": order["customer_id"],
        "billingCycle": order["billing_cycle"],
        "currencyCode": demo.catalog()["currency"]["code"],
        "currencySymbol": demo.catalog()["currency"]["symbol"],
        "lineItems": order["line_items"],
        "creationDate": iso(order["created_at"]),
        "status": "completed" if is_completed else "pending",
        "transactionType": "UserPurchase",
        "links": {"self": link(f"/customers/{order['customer_id']}/orders/{order['id']}")},
        "attributes": {"objectType": "Order"},
    }


def _visible_order(ctx: RequestContext, customer: dict, order_id: str) -> dict | None:
    order = ctx.store.get("order", order_id)
    if order is None or order["customer_id"] != customer["id"]:
        return None
    return order if _has_settled(ctx, order["created_at"], "order_not_found_seconds") else None


def order_get(ctx: RequestContext) -> SandboxResponse:
    customer = related_customer(ctx, ctx.args["customer_id"])
    order = _visible_order(ctx, customer, ctx.args["order_id"])
    if order is None:
        raise api_error(404, 20000, "Order Id not found")
    return SandboxResponse(200, order_json(ctx, order))


def subscriptions(ctx: RequestContext) -> SandboxResponse:
    return subscription_handlers.subscription_list(ctx, visible_order=_visible_order)
