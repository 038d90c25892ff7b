"""Subscriptions after the purchase: read one or a page, PATCH them.

The stored record, its clock and its published shape are in ``subscription_state``; renewal
plans in ``renewal_plans``; the partner of record's validation in ``partners``.

Business time: windows, terms and renewals follow the sandbox clock (``ctx.business_now``, moved
by ``/_sandbox/clock``); technical delays (activation, a 202's completion, tokens) follow the wall.

Rules of ``PATCH /v1/customers/{cid}/subscriptions/{id}`` (the full resource comes back, only the
fields below are read; README.md lists the error bodies):

- ``If-Match`` other than the current etag → 412 (the caller read a stale copy);
- a change while a 202 is still running → 409 900278; a deleted subscription → 400 2011;
- the partner of record (``partnerId``) not an Active, signed indirect reseller → 400 900400;
- ``status: deleted`` after ``cancellationAllowedUntilDate`` → 400 900117; inside it the
  subscription and its add-ons are cancelled (whether Microsoft cascades is unconfirmed: the
  storefront cancels add-ons first, so either way ends the same);
- a quantity change while suspended → 400 800091; under the SKU minimum or over its maximum →
  400 2002; more seats of the offer for the customer than the SKU maximum → 403 800088;
- a decrease larger than the refundable quantity (the buckets whose 7 days are not over) → 400
  800090; it consumes the newest buckets first (unconfirmed; the research assumes so);
- an increase opens a bucket of the added seats with its own 7 days;
- ``autoRenewEnabled`` on a subscription that is not active → 400 800093;
- ``scheduledNextTermInstructions`` (a renewal plan): see ``renewal_plans``.
- ``status: suspended`` / ``active`` suspends or reactivates (billing goes on while suspended);
  suspending drops the plan scheduled for the renewal (``scheduledNextTermInstructions``).

The control switch ``patch_mode`` answers ``200`` with the subscription, or ``202`` with
``Location``: the change then shows on the ``patch_completion_reads``-th GET of the subscription.
"""

import uuid

from partnercenter_sandbox import demo
from partnercenter_sandbox.handlers.customers import related_customer
from partnercenter_sandbox.handlers.partners import partner_validation
from partnercenter_sandbox.handlers.renewal_plans import check_next_term, requested_next_term
from partnercenter_sandbox.handlers.subscription_state import (
    apply_change,
    cancellation_allowed_until,
    customer_subscription,
    etag,
    is_active_now,
    live_buckets,
    settle,
    subscription_json,
)
from partnercenter_sandbox.http import RequestContext, SandboxResponse, business_error, link, pick

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


# --- GET one, GET a page ------------------------------------------------------------------


def subscription_get(ctx: RequestContext) -> SandboxResponse:
    customer = related_customer(ctx, ctx.args["customer_id"])
    subscription = customer_subscription(ctx, customer)
    return SandboxResponse(200, subscription_json(ctx, subscription, is_read=True))


def subscription_list(ctx: RequestContext, *, visible_order) -> SandboxResponse:
    """``order_id`` (a just placed order's are hidden while it answers 404), ``mpn_id`` (only
    that reseller's), ``size`` and ``offset`` (pages; ``links.next`` names the next one)."""
    customer = related_customer(ctx, ctx.args["customer_id"])
    order_id, mpn_id = ctx.query("order_id"), ctx.query("mpn_id")
    if order_id and visible_order(ctx, customer, order_id) is None:
        return SandboxResponse(200, _page([], 0, 0, DEFAULT_PAGE_SIZE, ""))
    size, offset = _int_query(ctx, "size", DEFAULT_PAGE_SIZE), _int_query(ctx, "offset", 0)
    if not 1 <= size <= MAX_PAGE_SIZE or offset < 0:
        raise business_error(
            400, 800002, "InvalidInput", f"size must be 1–{MAX_PAGE_SIZE}, offset ≥ 0."
        )
    matching = [
        subscription
        for subscription in ctx.store.all("subscription")
        if subscription["customer_id"] == customer["id"]
        and (not order_id or subscription["order_id"] == order_id)
        and (not mpn_id or subscription["partner_id"] == mpn_id)
    ]
    items = [subscription_json(ctx, s) for s in matching[offset : offset + size]]
    base = f"/customers/{customer['id']}/subscriptions"
    return SandboxResponse(200, _page(items, len(matching), offset, size, base, mpn_id=mpn_id))


def _int_query(ctx: RequestContext, name: str, default: int) -> int:
    raw = ctx.query(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise business_error(400, 800002, "InvalidInput", f"{name} must be a number.") from None


def _page(items, total, offset, size, base, *, mpn_id: str = "") -> dict:
    body = {"totalCount": total, "items": items, "attributes": {"objectType": "Collection"}}
    if base and offset + size < total:
        query = f"size={size}&offset={offset + size}" + (f"&mpn_id={mpn_id}" if mpn_id else "")
        body["links"] = {"next": link(f"{base}?{query}")}
    return body


# --- PATCH ----------------------------------------------------------------------------------


def subscription_patch(ctx: RequestContext) -> SandboxResponse:
    customer = related_customer(ctx, ctx.args["customer_id"])
    subscription = settle(ctx, customer_subscription(ctx, customer))
    if_match = ctx.request.headers.get("If-Match", "")
    if if_match and if_match != etag(subscription):
        raise business_error(
            412,
            412,
            "PreconditionFailed",
            "The subscription was changed since it was read (If-Match does not match the etag).",
        )
    if subscription.get("pending_patch"):
        raise business_error(
            409,
            900278,
            "PendingOperation",
            "There is a pending operation on this subscription. Please try again later.",
            retryable=True,
        )
    changes = _requested_changes(ctx.json(), subscription)
    changes.update(requested_next_term(ctx, ctx.json(), subscription))
    if not changes:
        return SandboxResponse(200, subscription_json(ctx, subscription))
    _check(ctx, customer, subscription, changes)
    options = ctx.store.subscription_options()
    record_change(ctx, subscription, changes)
    if options["patch_mode"] == "202":
        subscription["pending_patch"] = {
            "reads_left": options["patch_completion_reads"],
            "business_at": ctx.business_now,
            "changes": changes,
        }
        ctx.store.put("subscription", subscription["id"], subscription)
        location = f"/customers/{customer['id']}/subscriptions/{subscription['id']}"
        return SandboxResponse(202, None, {"Location": location})
    apply_change(ctx, subscription, changes, ctx.business_now)
    ctx.store.put("subscription", subscription["id"], subscription)
    return SandboxResponse(200, subscription_json(ctx, subscription))


def _requested_changes(body: dict, subscription: dict) -> dict:
    changes = {}
    quantity = pick(body, "quantity")
    if isinstance(quantity, int) and not isinstance(quantity, bool):
        if quantity != subscription["quantity"]:
            changes["quantity"] = quantity
    elif quantity is not None:
        raise business_error(400, 800002, "InvalidInput", "quantity must be a whole number.")
    status = str(pick(body, "status", default="")).lower()
    if status and status != subscription["status"]:
        if status not in ("deleted", "active", "suspended"):
            raise business_error(400, 800002, "InvalidInput", f"Unknown status {status}.")
        changes["status"] = status
    auto_renew = pick(body, "autoRenewEnabled")
    if isinstance(auto_renew, bool) and auto_renew != subscription["auto_renew"]:
        changes["auto_renew"] = auto_renew
    return changes


def _check(ctx: RequestContext, customer: dict, subscription: dict, changes: dict) -> None:
    if subscription["status"] in ("deleted", "expired", "disabled"):
        raise business_error(
            400, 2011, "SubscriptionDeleted", "A deleted subscription cannot be updated."
        )
    if not is_active_now(ctx, subscription):
        raise business_error(
            400, 800095, "SubscriptionNotProvisioned", "The subscription is not provisioned yet."
        )
    _check_partner_of_record(ctx, subscription["partner_id"])
    if changes.get("status") == "deleted":
        if ctx.business_now > cancellation_allowed_until(subscription):
            raise business_error(
                400,
                900117,
                "CancellationWindowPassed",
                "You have passed your 7-day cancellation window. We are unable to cancel your "
                "purchase.",
            )
        return
    if "quantity" in changes:
        _check_quantity(ctx, customer, subscription, changes["quantity"])
    if "auto_renew" in changes and subscription["status"] != "active":
        raise business_error(
            400,
            800093,
            "NotEligibleForAutoRenew",
            "The subscription is not eligible to be auto-renewed.",
        )
    if changes.get("next_term"):
        check_next_term(ctx, subscription, changes)


def _check_partner_of_record(ctx: RequestContext, partner_id: str) -> None:
    valid, code, description = partner_validation(ctx, partner_id)
    if not valid:
        raise business_error(400, code, "InvalidPartnerOfRecord", description)


def _check_quantity(ctx: RequestContext, customer: dict, subscription: dict, quantity: int) -> None:
    if subscription["status"] == "suspended":
        raise business_error(
            400, 800091, "SubscriptionSuspended", "Cannot update a suspended subscription."
        )
    _, sku = demo.find_sku(*subscription["offer_id"].split(":"))
    if not sku["minimumQuantity"] <= quantity <= sku["maximumQuantity"]:
        raise business_error(
            400,
            2002,
            "InvalidQuantity",
            f"Quantity must be between {sku['minimumQuantity']} and {sku['maximumQuantity']}.",
        )
    if quantity > subscription["quantity"]:
        owned = sum(
            other["quantity"]
            for other in ctx.store.all("subscription")
            if other["customer_id"] == customer["id"]
            and other["offer_id"] == subscription["offer_id"]
            and other["status"] in ("active", "suspended")
        )
        remaining = sku["maximumQuantity"] - owned
        added = quantity - subscription["quantity"]
        if added > remaining:
            raise business_error(
                403,
                800088,
                "SeatLimitExceeded",
                f"The requested number of {added} seat/s exceeded the remaining limit of "
                f"{remaining} seats allowed per subscription for the CatalogID - "
                f"{subscription['offer_id']}",
            )
        return
    removed = subscription["quantity"] - quantity
    refundable = sum(bucket["quantity"] for bucket in live_buckets(ctx, subscription))
    if removed > refundable:
        raise business_error(
            400, 800090, "QuantityCannotBeDecreased", "Subscription quantity cannot be decreased."
        )


def record_change(ctx: RequestContext, subscription: dict, changes: dict) -> None:
    """What the control API lists at /_sandbox/changes: one row per change Partner Center made.

    A second change with the same target under another MS-RequestId within a minute of business
    time counts as a duplicate: the storefront sent one change twice."""
    ctx.store.put(
        "change",
        str(uuid.uuid4()),
        {
            "subscription_id": subscription["id"],
            "ms_request_id": ctx.request_id,
            "changes": changes,
            "from_quantity": subscription["quantity"],
            "at": ctx.business_now,
        },
    )
    same = [
        change
        for change in ctx.store.all("change")
        if change["subscription_id"] == subscription["id"]
        and change["ms_request_id"] != ctx.request_id
        and change["changes"] == changes
        and abs(change["at"] - ctx.business_now) < 60
    ]
    if same:
        ctx.store.count_duplicate("changes")
