"""Upgrades (transitions) of NCE subscriptions: eligibilities, the transition, its history.

- ``GET …/subscriptions/{id}/transitionEligibilities?eligibilityType=immediate``: one
  item per target offer of ``UPGRADE_PATHS`` (catalogItemId with today's availability id), its
  ``eligibilities[]`` with the errors of the SDK's TransitionErrorCode (2 not active, 6 add-ons
  present, 9 not provisioned) and ``subscriptionEligibilities[]``: the
  customer's existing subscriptions of that offer, term and billing that can receive the seats.
  ``eligibilityType=scheduled`` (renewal plans) is answered by ``renewal_plans.
  transition_eligibilities``.
- ``POST …/subscriptions/{id}/transitions``: the same checks (400 with the eligibility code),
  the partner of record (400 900400), a transition still running on the source (409 900278); it
  answers 200 with the Transition, ``operationId`` and the ``Conversion`` event ``Started``.
- ``GET …/subscriptions/{id}/transitions[?operationId=]``: ``{"transition": [...]}``; a
  transition completes on the ``transition_completion_reads``-th read (a count: tests never
  sleep), then the seats have moved: a partial upgrade lowers the source, a full one leaves it
  ``expired`` (unconfirmed at Microsoft); the new subscription inherits the source's term and
  cancellation window; an existing target gains the seats. Add-ons stay on the source.

Where Microsoft is unconfirmed the control API picks the candidate (store.DEFAULT_TRANSITION_
OPTIONS): which add-ons block (``addon_rule``), the casing of ``subscriptionEligibilities``
(``eligibility_casing``), and whether the transition ends ``Completed`` or ``Failed``.
"""

import uuid

from partnercenter_sandbox import demo
from partnercenter_sandbox.handlers.customers import related_customer
from partnercenter_sandbox.handlers.partners import partner_validation
from partnercenter_sandbox.handlers.renewal_plans import transition_eligibilities
from partnercenter_sandbox.handlers.subscription_state import (
    cancellation_allowed_until,
    is_active_now,
    live_buckets,
    new_subscription,
    settle,
    shrink_buckets,
)
from partnercenter_sandbox.handlers.subscriptions import record_change
from partnercenter_sandbox.http import RequestContext, SandboxResponse, business_error, iso, pick

# Target offers of each source offer (product:sku), as Microsoft's upgrade paths for these SKUs.
UPGRADE_PATHS = {
    "CFQ7TTC0LH18:0001": ("CFQ7TTC0LDPB:0001", "CFQ7TTC0LCHC:0002"),  # Business Basic
    "CFQ7TTC0LDPB:0001": ("CFQ7TTC0LCHC:0002",),  # Business Standard → Premium
    "CFQ7TTC0LCHC:0002": ("CFQ7TTC0LFLX:0001",),  # Business Premium → Microsoft 365 E3
    "CFQ7TTC0LF8Q:0001": ("CFQ7TTC0LF8R:0001", "CFQ7TTC0LF8S:0001"),  # Office 365 E1
    "CFQ7TTC0LF8R:0001": ("CFQ7TTC0LF8S:0001",),  # Office 365 E3 → E5
    "CFQ7TTC0LFLX:0001": ("CFQ7TTC0LFLZ:0001",),  # Microsoft 365 E3 → E5
    "CFQ7TTC0LH16:0001": ("CFQ7TTC0LH1P:0001",),  # Exchange Online Plan 1 → Plan 2
}
ERROR_NAMES = {
    2: "SubscriptionStatusNotActive",
    6: "SubscriptionAddOnsPresent",
    8: "SubscriptionTargetOfferNotFound",
    9: "SubscriptionNotProvisioned",
}
ERROR_TEXTS = {
    2: "Subscription cannot be transitioned because the source subscription is not active.",
    8: "The target offer is not a transition path of this subscription.",
    9: "Subscription cannot be transitioned because the source subscription is not "
    "provisioned yet.",
}


# --- Eligibilities ----------------------------------------------------------------------------


def _source(ctx: RequestContext) -> tuple[dict, dict]:
    customer = related_customer(ctx, ctx.args["customer_id"])
    subscription = ctx.store.get("subscription", ctx.args["subscription_id"])
    if subscription is None or subscription["customer_id"] != customer["id"]:
        raise business_error(404, 800060, "SubscriptionNotFound", "Subscription not found.")
    return customer, settle(ctx, subscription)


def catalog_item_id(ctx: RequestContext, offer_id: str) -> str:
    return f"{offer_id}:{ctx.store.availability_id(*offer_id.split(':'))}"


def _errors(ctx: RequestContext, source: dict, target_offer: str) -> list[dict]:
    if not is_active_now(ctx, source):
        return [_error(9)]
    if source["status"] != "active":
        return [_error(2)]
    blocking = _blocking_addons(ctx, source, target_offer)
    if blocking:
        names = ", ".join(addon["offer_name"] for addon in blocking)
        return [
            _error(
                6,
                f"Subscription cannot be transitioned because add-ons are present: {names}.",
            )
        ]
    return []


def _error(code: int, description: str = "") -> dict:
    return {"code": code, "description": description or ERROR_TEXTS[code]}


def _blocking_addons(ctx: RequestContext, source: dict, target_offer: str) -> list[dict]:
    """Which add-ons of the source block an upgrade to ``target_offer`` (addon_rule): ``any``
    every live add-on, ``incompatible`` those the target cannot carry (its prerequisites), ``none``
    nothing blocks."""
    rule = ctx.store.transition_options()["addon_rule"]
    if rule == "none":
        return []
    addons = [
        other
        for other in ctx.store.all("subscription")
        if other["parent_id"] == source["id"] and other["status"] in ("active", "suspended")
    ]
    if rule == "any":
        return addons
    return [addon for addon in addons if target_offer not in _prerequisites(addon["offer_id"])]


def _prerequisites(offer_id: str) -> list[str]:
    found = demo.find_sku(*offer_id.split(":"))
    return list(found[1]["prerequisiteSkus"]) if found else []


def eligibilities_get(ctx: RequestContext) -> SandboxResponse:
    kind = (ctx.query("eligibilityType") or "immediate").lower()
    if kind not in ("immediate", "scheduled"):
        raise business_error(
            400, 800002, "InvalidInput", "eligibilityType is immediate or scheduled."
        )
    if kind == "scheduled":
        # A renewal plan may also keep the same SKU: the renewal handlers know those targets.
        return transition_eligibilities(ctx)
    customer, source = _source(ctx)
    items = []
    for target_offer in UPGRADE_PATHS.get(source["offer_id"], ()):
        _, sku = demo.find_sku(*target_offer.split(":"))
        errors = _errors(ctx, source, target_offer)
        item = {
            "catalogItemId": catalog_item_id(ctx, target_offer),
            "title": sku["title"],
            "description": sku["description"],
            "quantity": source["quantity"],
            "eligibilities": [
                {"isEligible": not errors, "transitionType": "transition_only", "errors": errors}
            ],
            "attributes": {"objectType": "TransitionEligibility"},
        }
        item.update(_target_subscriptions(ctx, customer, source, target_offer))
        items.append(item)
    body = {"totalCount": len(items), "items": items, "attributes": {"objectType": "Collection"}}
    return SandboxResponse(200, body)


def _target_subscriptions(ctx, customer: dict, source: dict, target_offer: str) -> dict:
    rows = [
        {
            "isEligible": True,
            "subscriptionId": other["id"],
            "subscriptionFriendlyName": other.get("friendly_name") or other["offer_name"],
            "subscriptionTermDuration": other["term_duration"],
            "subscriptionBillingCycle": other["billing_cycle"],
            "errors": [],
        }
        for other in ctx.store.all("subscription")
        if other["customer_id"] == customer["id"]
        and other["offer_id"] == target_offer
        and other["status"] == "active"
        and other["partner_id"] == source["partner_id"]
        and other["term_duration"] == source["term_duration"]
        and other["billing_cycle"].lower() == source["billing_cycle"].lower()
    ]
    if ctx.store.transition_options()["eligibility_casing"] == "pascal":
        return {"SubscriptionEligibilities": [_pascal(row) for row in rows]}
    return {"subscriptionEligibilities": rows}


def _pascal(row: dict) -> dict:
    return {key[0].upper() + key[1:]: value for key, value in row.items()}


# --- POST a transition -------------------------------------------------------------------------


def transition_create(ctx: RequestContext) -> SandboxResponse:
    customer, source = _source(ctx)
    body = ctx.json()
    to_item = str(pick(body, "toCatalogItemId", default=""))
    target_offer = ":".join(to_item.split(":")[:2])
    if to_item != catalog_item_id(ctx, target_offer) or target_offer not in UPGRADE_PATHS.get(
        source["offer_id"], ()
    ):
        raise business_error(400, 8, ERROR_NAMES[8], ERROR_TEXTS[8])
    quantity = pick(body, "quantity", default=source["quantity"])
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        raise business_error(400, 800002, "InvalidInput", "quantity must be a whole number.")
    if not 1 <= quantity <= source["quantity"]:
        raise business_error(
            400, 800002, "InvalidInput", f"quantity must be between 1 and {source['quantity']}."
        )
    errors = _errors(ctx, source, target_offer)
    if errors:
        code = errors[0]["code"]
        raise business_error(400, code, ERROR_NAMES[code], errors[0]["description"])
    valid, code, description = partner_validation(ctx, source["partner_id"])
    if not valid:
        raise business_error(400, code, "InvalidPartnerOfRecord", description)
    if _running(ctx, source["id"]):
        raise business_error(
            409,
            900278,
            "PendingOperation",
            "There is a pending operation on this subscription. Please try again later.",
            retryable=True,
        )
    to_subscription_id = str(pick(body, "toSubscriptionId", default="") or "")
    if to_subscription_id:
        _check_existing_target(ctx, customer, source, target_offer, to_subscription_id)
    transition = {
        "operation_id": str(uuid.uuid4()),
        "customer_id": customer["id"],
        "from_subscription_id": source["id"],
        "from_offer_id": source["offer_id"],
        "to_offer_id": target_offer,
        "to_catalog_item_id": to_item,
        "to_subscription_id": to_subscription_id,
        "quantity": quantity,
        "term_duration": str(pick(body, "termDuration", default="") or source["term_duration"]),
        "billing_cycle": str(pick(body, "billingCycle", default="") or source["billing_cycle"]),
        "transition_type": str(pick(body, "transitionType", default="") or "transition_only"),
        "status": "InProgress",
        "reads_left": ctx.store.transition_options()["transition_completion_reads"],
        "events": [_event("Conversion", "Started", ctx.business_now)],
        "created_at": ctx.business_now,
    }
    ctx.store.put("transition", transition["operation_id"], transition)
    record_change(ctx, source, {"transition_to": target_offer, "quantity": quantity})
    return SandboxResponse(200, transition_json(ctx, transition))


def _check_existing_target(ctx, customer, source, target_offer, to_subscription_id) -> None:
    target = ctx.store.get("subscription", to_subscription_id)
    if (
        target is None
        or target["customer_id"] != customer["id"]
        or target["offer_id"] != target_offer
        or target["status"] != "active"
        or target["partner_id"] != source["partner_id"]
    ):
        raise business_error(
            400, 8, ERROR_NAMES[8], "The target subscription cannot receive this transition."
        )


def _running(ctx: RequestContext, subscription_id: str) -> bool:
    return any(
        transition["from_subscription_id"] == subscription_id
        and transition["status"] == "InProgress"
        for transition in ctx.store.all("transition")
    )


def _event(name: str, status: str, at: float) -> dict:
    return {
        "name": name,
        "status": status,
        "timestamp": iso(at),
        "attributes": {"objectType": "TransitionEvent"},
    }


def transition_json(ctx: RequestContext, transition: dict) -> dict:
    return {
        "operationId": transition["operation_id"],
        "fromCatalogItemId": catalog_item_id(ctx, transition["from_offer_id"]),
        "fromSubscriptionId": transition["from_subscription_id"],
        "toCatalogItemId": transition["to_catalog_item_id"],
        "toSubscriptionId": transition["to_subscription_id"] or None,
        "quantity": transition["quantity"],
        "termDuration": transition["term_duration"],
        "billingCycle": transition["billing_cycle"],
        "transitionType": transition["transition_type"],
        "status": transition["status"],
        "events": transition["events"],
        "attributes": {"objectType": "Transition"},
    }


# --- GET the transitions (and complete them) ---------------------------------------------------


def transitions_get(ctx: RequestContext) -> SandboxResponse:
    _, source = _source(ctx)
    operation_id = ctx.query("operationId")
    found = [
        transition
        for transition in ctx.store.all("transition")
        if transition["from_subscription_id"] == source["id"]
        and (not operation_id or transition["operation_id"] == operation_id)
    ]
    for transition in found:
        if transition["status"] == "InProgress":
            _progress(ctx, transition)
    return SandboxResponse(
        200,
        {
            "transition": [transition_json(ctx, transition) for transition in found],
            "attributes": {"objectType": "Collection"},
        },
    )


def _progress(ctx: RequestContext, transition: dict) -> None:
    transition["reads_left"] -= 1
    if transition["reads_left"] <= 0:
        if ctx.store.transition_options()["outcome"] == "failed":
            transition["status"] = "Failed"
            transition["events"].append(_event("Conversion", "Failed", ctx.business_now))
        else:
            _move_seats(ctx, transition)
            transition["status"] = "Completed"
            transition["events"].append(_event("Conversion", "Completed", ctx.business_now))
            if transition["transition_type"] == "transition_with_license_transfer":
                transition["events"].append(
                    _event("LicenseReassignment", "Completed", ctx.business_now)
                )
    ctx.store.put("transition", transition["operation_id"], transition)


def _move_seats(ctx: RequestContext, transition: dict) -> None:
    source = ctx.store.get("subscription", transition["from_subscription_id"])
    quantity = transition["quantity"]
    if transition["to_subscription_id"]:
        target = ctx.store.get("subscription", transition["to_subscription_id"])
        target["quantity"] += quantity
        target["version"] += 1
        ctx.store.put("subscription", target["id"], target)
    else:
        target = _new_target(ctx, source, transition)
        transition["to_subscription_id"] = target["id"]
    if quantity >= source["quantity"]:
        source["status"] = "expired"
        source["buckets"] = []
    else:
        source["quantity"] -= quantity
        shrink_buckets(source, quantity, ctx.business_now)
    source["version"] += 1
    ctx.store.put("subscription", source["id"], source)


def _new_target(ctx: RequestContext, source: dict, transition: dict) -> dict:
    """The new subscription inherits the source's term and its cancellation window: its refund
    bucket (the moved seats) closes when the source's window does."""
    _, sku = demo.find_sku(*transition["to_offer_id"].split(":"))
    window_end = cancellation_allowed_until(source)
    target = new_subscription(
        ctx,
        customer_id=source["customer_id"],
        order_id=source["order_id"],
        offer_id=transition["to_offer_id"],
        offer_name=sku["title"],
        quantity=transition["quantity"],
        term_duration=transition["term_duration"],
        billing_cycle=transition["billing_cycle"],
        partner_id=source["partner_id"],
    )
    moved = min(transition["quantity"], sum(b["quantity"] for b in live_buckets(ctx, source)))
    target.update(
        created_at=0,  # provisioned by the transition itself: no activation delay
        term_started_at=source["term_started_at"],
        business_created_at=ctx.business_now,
        buckets=[{"quantity": moved, "until": window_end}] if moved else [],
    )
    ctx.store.put("subscription", target["id"], target)
    return target
