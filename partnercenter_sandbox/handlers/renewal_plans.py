"""Renewal plans (``scheduledNextTermInstructions``) as a PATCH asks for them, and the scheduled
eligibilities (``GET …/transitionEligibilities?eligibilityType=scheduled``).

A plan is kept as ``subscription["next_term"]``: {"offer_id", "term_duration", "billing_cycle",
"quantity"}. It needs auto-renew on and an active subscription; a mid-term quantity change or a
suspension removes it (Microsoft: "all scheduled changes are deleted"); at renewal it becomes
the new term (``subscription_state.apply_next_term``). How a plan is removed is unconfirmed: the
``schedule_removal`` switch picks ``null`` (the field set to null removes it; ``{}`` is refused)
or ``empty_object`` (``{}`` removes it; null, as in a body read back unchanged, leaves it).
"""

from partnercenter_sandbox import demo
from partnercenter_sandbox.handlers.customers import related_customer
from partnercenter_sandbox.handlers.subscription_state import (
    TERM_MONTHS,
    customer_subscription,
    settle,
)
from partnercenter_sandbox.http import RequestContext, SandboxResponse, business_error

# Upgrade paths of the demo catalogue (lowest first): a plan may target the same SKU (another
# term or billing) or a higher one on its ladder.
UPGRADE_LADDERS = (
    ("CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002"),
    ("CFQ7TTC0LF8Q:0001", "CFQ7TTC0LF8R:0001", "CFQ7TTC0LF8S:0001"),
    ("CFQ7TTC0LFLX:0001", "CFQ7TTC0LFLZ:0001"),
    ("CFQ7TTC0LH16:0001", "CFQ7TTC0LH1P:0001"),
)
PLAN_KEYS = ("productId", "skuId", "availabilityId", "billingCycle", "termDuration")


def scheduled_targets(offer_id: str) -> list[str]:
    for ladder in UPGRADE_LADDERS:
        if offer_id in ladder:
            return list(ladder[ladder.index(offer_id) :])
    return [offer_id]


def requested_next_term(ctx: RequestContext, body: dict, subscription: dict) -> dict:
    """The plan change a PATCH body asks for: {"next_term": dict} to set, {"next_term": None}
    to remove, {} to leave it."""
    if "scheduledNextTermInstructions" not in body:
        return {}
    raw = body["scheduledNextTermInstructions"]
    removal = ctx.store.subscription_options()["schedule_removal"]
    if raw is None:
        return {"next_term": None} if removal == "null" and subscription.get("next_term") else {}
    if not isinstance(raw, dict):
        raise business_error(400, 800002, "InvalidInput", "Invalid scheduledNextTermInstructions.")
    if raw == {}:
        if removal != "empty_object":
            raise business_error(
                400, 800002, "InvalidInput", "scheduledNextTermInstructions.product is required."
            )
        return {"next_term": None} if subscription.get("next_term") else {}
    product, quantity = raw.get("product"), raw.get("quantity")
    if (
        not isinstance(product, dict)
        or not all(isinstance(product.get(key), str) and product.get(key) for key in PLAN_KEYS)
        or not isinstance(quantity, int)
        or isinstance(quantity, bool)
    ):
        raise business_error(
            400, 800002, "InvalidInput", "scheduledNextTermInstructions needs product and quantity."
        )
    wanted = {
        "offer_id": f"{product['productId']}:{product['skuId']}",
        "availability_id": product["availabilityId"],
        "term_duration": product["termDuration"],
        "billing_cycle": product["billingCycle"].lower(),
        "quantity": quantity,
    }
    return {} if wanted == subscription.get("next_term") else {"next_term": wanted}


def check_next_term(ctx: RequestContext, subscription: dict, changes: dict) -> None:
    plan = changes["next_term"]
    auto_renew = changes.get("auto_renew", subscription["auto_renew"])
    if subscription["status"] != "active" or not auto_renew:
        raise business_error(
            400,
            800093,
            "NotEligibleForAutoRenew",
            "Scheduled changes need an active subscription with auto-renew enabled.",
        )
    if plan["offer_id"] not in scheduled_targets(subscription["offer_id"]):
        raise business_error(
            400, 800099, "InvalidTransition", "The target product is not eligible at renewal."
        )
    product_id, sku_id = plan["offer_id"].split(":")
    if plan["availability_id"] != ctx.store.availability_id(product_id, sku_id):
        raise business_error(400, 800002, "InvalidInput", "Unknown availabilityId.")
    if plan["term_duration"] not in TERM_MONTHS or plan["billing_cycle"] not in (
        "monthly",
        "annual",
        "triennial",
    ):
        raise business_error(400, 800002, "InvalidInput", "Unknown term or billing cycle.")
    _, sku = demo.find_sku(product_id, sku_id)
    if not sku["minimumQuantity"] <= plan["quantity"] <= sku["maximumQuantity"]:
        raise business_error(
            400,
            2002,
            "InvalidQuantity",
            f"Quantity must be between {sku['minimumQuantity']} and {sku['maximumQuantity']}.",
        )


def transition_eligibilities(ctx: RequestContext) -> SandboxResponse:
    """GET …/subscriptions/{id}/transitionEligibilities?eligibilityType=scheduled: the targets a
    renewal plan may name (the same SKU and the higher ones on its upgrade ladder)."""
    customer = related_customer(ctx, ctx.args["customer_id"])
    subscription = settle(ctx, customer_subscription(ctx, customer))
    eligibility_type = (ctx.query("eligibilityType") or "immediate").lower()
    if eligibility_type != "scheduled":
        raise business_error(400, 800002, "InvalidInput", "eligibilityType must be scheduled.")
    is_active = subscription["status"] == "active"
    items = []
    for offer_id in scheduled_targets(subscription["offer_id"]):
        product_id, sku_id = offer_id.split(":")
        _, sku = demo.find_sku(product_id, sku_id)
        errors = (
            []
            if is_active
            else [{"code": 2, "description": "The source subscription is not active."}]
        )
        items.append(
            {
                "catalogItemId": f"{offer_id}:{ctx.store.availability_id(product_id, sku_id)}",
                "title": sku["title"],
                "description": sku["title"],
                "quantity": subscription["quantity"],
                "eligibilities": [
                    {
                        "isEligible": is_active,
                        "transitionType": "transition_only",
                        "errors": errors,
                    }
                ],
                "attributes": {"objectType": "TransitionEligibility"},
            }
        )
    return SandboxResponse(
        200,
        {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}},
    )
