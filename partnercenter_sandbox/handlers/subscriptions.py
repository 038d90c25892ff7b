"""Subscriptions after the purchase: read one or a page, PATCH them, validate partners of record.

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
- ``scheduledNextTermInstructions`` (a renewal plan): see the section at the end of this module.
- ``status: suspended`` / ``active`` suspends or reactivates (billing goes on while suspended);
  suspending drops the plan scheduled for the renewal (``scheduledNextTermInstructions``).

The control switch ``patch_mode`` answers ``200`` with the subscription, or ``202`` with
``Location``: the change then shows on the ``patch_completion_reads``-th GET of the subscription.
"""

import calendar
import uuid
from datetime import UTC, datetime, timedelta

from partnercenter_sandbox import demo
from partnercenter_sandbox.handlers.customers import related_customer
from partnercenter_sandbox.http import (
    ApiError,
    RequestContext,
    SandboxResponse,
    iso,
    link,
    pick,
)

REFUND_WINDOW_SECONDS = 7 * 24 * 3600
TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
FINAL_STATUSES = ("deleted", "expired")


def business_error(
    status: int, code: int, error_name: str, description: str, *, retryable: bool = False
) -> ApiError:
    """Partner Center's full error body: code, description, message, errorName, isRetryable,
    parameters, data, source."""
    body = {
        "code": code,
        "description": description,
        "message": description,
        "errorName": error_name,
        "isRetryable": retryable,
        "parameters": {},
        "data": [],
        "source": "PartnerFD",
    }
    return ApiError(SandboxResponse(status, body))


# --- Creation (checkout) and the lazy clock -----------------------------------------------


def new_subscription(ctx: RequestContext, **fields) -> dict:
    """A subscription as checkout creates it: one refund bucket of all its seats."""
    started = ctx.business_now
    subscription = {
        "id": str(uuid.uuid4()),
        "entitlement_id": str(uuid.uuid4()),
        "created_at": ctx.now,  # wall time: the activation delay
        "term_started_at": started,  # business time: term, windows, renewals
        "business_created_at": started,
        "status": "active",
        "auto_renew": True,
        "version": 1,
        "parent_id": "",
        "pending_patch": None,
        "buckets": [{"quantity": fields["quantity"], "until": started + REFUND_WINDOW_SECONDS}],
        **fields,
    }
    ctx.store.put("subscription", subscription["id"], subscription)
    return subscription


def add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def term_end(subscription: dict) -> float:
    """The last moment of the current term (commitmentEndDate is its day)."""
    start = datetime.fromtimestamp(subscription["term_started_at"], UTC)
    months = TERM_MONTHS.get(subscription["term_duration"], 1)
    end_day = add_months(start, months) - timedelta(days=1)
    return end_day.replace(hour=23, minute=59, second=59).timestamp()


def settle(ctx: RequestContext, subscription: dict, *, is_read: bool = False) -> dict:
    """Apply what happened since the last look: a 202's change on its n-th read, then renewals
    or expiry at term end (business time). Saved when anything changed."""
    changed = False
    pending = subscription.get("pending_patch")
    if pending and is_read:
        pending["reads_left"] -= 1
        changed = True
        if pending["reads_left"] <= 0:
            _apply(ctx, subscription, pending["changes"], pending["business_at"])
            subscription["pending_patch"] = None
    while subscription["status"] in ("active", "suspended") and ctx.business_now > term_end(
        subscription
    ):
        end = term_end(subscription)
        if subscription["status"] == "active" and subscription["auto_renew"]:
            renewed_at = end + 1
            apply_next_term(subscription)
            subscription["term_started_at"] = renewed_at
            subscription["buckets"] = [
                {
                    "quantity": subscription["quantity"],
                    "until": renewed_at + REFUND_WINDOW_SECONDS,
                }
            ]
        else:
            subscription["status"] = "expired" if subscription["status"] == "active" else "disabled"
            subscription["buckets"] = []
            subscription["expired_at"] = end
        changed = True
    changed = disable_after_expiry(ctx, subscription) or changed
    if changed:
        ctx.store.put("subscription", subscription["id"], subscription)
    return subscription


def is_active_now(ctx: RequestContext, subscription: dict) -> bool:
    return (
        ctx.now
        >= subscription["created_at"] + ctx.store.delays()["subscription_activation_seconds"]
    )


def live_buckets(ctx: RequestContext, subscription: dict) -> list[dict]:
    return [
        bucket
        for bucket in subscription["buckets"]
        if bucket["until"] >= ctx.business_now and bucket["quantity"] > 0
    ]


def cancellation_allowed_until(subscription: dict) -> float:
    return subscription["term_started_at"] + REFUND_WINDOW_SECONDS


# --- The published shape --------------------------------------------------------------------


def subscription_json(ctx: RequestContext, subscription: dict, *, is_read: bool = False) -> dict:
    subscription = settle(ctx, subscription, is_read=is_read)
    status = subscription["status"]
    if not is_active_now(ctx, subscription):
        status = "pending"
    customer_id = subscription["customer_id"]
    product_id, sku_id = subscription["offer_id"].split(":")
    availability_id = ctx.store.availability_id(product_id, sku_id)
    buckets = live_buckets(ctx, subscription) if status == "active" else []
    until = cancellation_allowed_until(subscription)
    can_cancel = status in ("active", "suspended") and ctx.business_now <= until
    end = datetime.fromtimestamp(term_end(subscription), UTC).replace(hour=0, minute=0, second=0)
    self_uri = f"/customers/{customer_id}/subscriptions/{subscription['id']}"
    actions = []
    if status in ("active", "suspended"):
        actions = ["edit", "Refund"] if buckets else ["edit"]
        if can_cancel:
            actions.append("cancel")
    return {
        "id": subscription["id"],
        "entitlementId": subscription["entitlement_id"],
        "offerId": subscription["offer_id"],
        "offerName": subscription["offer_name"],
        "friendlyName": subscription.get("friendly_name") or subscription["offer_name"],
        "productType": {"id": "OnlineServicesNCE", "displayName": "OnlineServicesNCE"},
        "quantity": subscription["quantity"],
        "unitType": "Licenses",
        "parentSubscriptionId": subscription["parent_id"] or None,
        "hasPurchasableAddons": bool(demo_addons_of(subscription["offer_id"])),
        "creationDate": iso(subscription["business_created_at"]),
        "effectiveStartDate": iso(subscription["term_started_at"]),
        "commitmentEndDate": end.isoformat().replace("+00:00", "Z"),
        "commitmentEndDateTime": iso(term_end(subscription)),
        "cancellationAllowedUntilDate": iso(until) if can_cancel else None,
        "status": status,
        "autoRenewEnabled": subscription["auto_renew"],
        "isTrial": False,
        "billingType": "license",
        "billingCycle": subscription["billing_cycle"],
        "termDuration": subscription["term_duration"],
        "renewalTermDuration": subscription["term_duration"],
        "refundOptions": [{"type": "Full", "expiresAt": iso(until)}] if can_cancel else [],
        "refundableQuantity": {
            "totalQuantity": sum(bucket["quantity"] for bucket in buckets),
            "details": [
                {"quantity": bucket["quantity"], "allowedUntilDateTime": iso(bucket["until"])}
                for bucket in buckets
            ],
        },
        "scheduledNextTermInstructions": next_term_json(ctx, subscription),
        "isMicrosoftProduct": True,
        "partnerId": subscription["partner_id"],
        "suspensionReasons": ["PartnerInitiated"] if status == "suspended" else [],
        "contractType": "subscription",
        "actions": actions,
        "publisherName": "Microsoft Corporation",
        "orderId": subscription["order_id"],
        "links": {
            "product": link(f"/products/{product_id}?country=IT"),
            "sku": link(f"/products/{product_id}/skus/{sku_id}?country=IT"),
            "availability": link(
                f"/products/{product_id}/skus/{sku_id}/availabilities/{availability_id}?country=IT"
            ),
            "self": link(self_uri),
        },
        "attributes": {"etag": etag(subscription), "objectType": "Subscription"},
    }


def etag(subscription: dict) -> str:
    return f'W/"{subscription["id"][:8]}-{subscription["version"]}"'


def demo_addons_of(offer_id: str) -> list[str]:
    return [
        f"{product['id']}:{sku['id']}"
        for product in demo.catalog()["products"]
        for sku in product["skus"]
        if sku["isAddon"] and offer_id in sku["prerequisiteSkus"]
    ]


# --- GET one, GET a page ------------------------------------------------------------------


def _customer_subscription(ctx: RequestContext, customer: dict) -> dict:
    subscription = ctx.store.get("subscription", ctx.args["subscription_id"])
    if subscription is None or subscription["customer_id"] != customer["id"]:
        raise business_error(404, 800060, "SubscriptionNotFound", "Subscription not found.")
    return subscription


def subscription_get(ctx: RequestContext) -> SandboxResponse:
    customer = related_customer(ctx, ctx.args["customer_id"])
    subscription = _customer_subscription(ctx, customer)
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
    subscription = settle(ctx, _customer_subscription(ctx, customer))
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
    _apply(ctx, subscription, changes, ctx.business_now)
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


def partner_validation(ctx: RequestContext, partner_id: str) -> tuple[bool, int, str]:
    reseller = ctx.store.get("reseller", partner_id) if partner_id else None
    if (
        reseller is not None
        and reseller["relationship_state"] == "Active"
        and reseller["agreement"] == "signed"
    ):
        return True, 0, ""
    return (
        False,
        900400,
        f"The PLA ID (formerly MPN ID) {partner_id} is not valid as partner of record: it is not "
        "an active indirect reseller authorised by this indirect provider.",
    )


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


def _apply(ctx: RequestContext, subscription: dict, changes: dict, business_at: float) -> None:
    if "quantity" in changes:
        delta = changes["quantity"] - subscription["quantity"]
        if delta > 0:
            subscription["buckets"].append(
                {"quantity": delta, "until": business_at + REFUND_WINDOW_SECONDS}
            )
        else:
            shrink_buckets(subscription, -delta, business_at)
        subscription["quantity"] = changes["quantity"]
    if "auto_renew" in changes:
        subscription["auto_renew"] = changes["auto_renew"]
    apply_next_term_change(subscription, changes)
    if "status" in changes:
        subscription["status"] = changes["status"]
        if changes["status"] == "deleted":
            subscription["buckets"] = []
            for addon in ctx.store.all("subscription"):
                if addon["parent_id"] == subscription["id"] and addon["status"] != "deleted":
                    addon.update(status="deleted", buckets=[], version=addon["version"] + 1)
                    ctx.store.put("subscription", addon["id"], addon)
    subscription["version"] += 1


def shrink_buckets(subscription: dict, seats: int, business_at: float) -> None:
    """Seats leave the newest buckets first (a decrease, seats moved by a partial upgrade)."""
    for bucket in sorted(subscription["buckets"], key=lambda b: b["until"], reverse=True):
        if bucket["until"] < business_at:
            continue
        taken = min(seats, bucket["quantity"])
        bucket["quantity"] -= taken
        seats -= taken
        if not seats:
            break
    subscription["buckets"] = [b for b in subscription["buckets"] if b["quantity"] > 0]


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


# --- Partner of record ----------------------------------------------------------------------


def validate_resellers(ctx: RequestContext) -> SandboxResponse:
    """POST /v1/partners/validateresellers {"partnerIds": [...]}."""
    partner_ids = pick(ctx.json(), "partnerIds")
    if not isinstance(partner_ids, list) or not partner_ids or len(partner_ids) > 100:
        raise business_error(
            400, 800002, "InvalidInput", "partnerIds must list 1 to 100 partner ids."
        )
    results = []
    for partner_id in partner_ids:
        valid, code, description = partner_validation(ctx, str(partner_id))
        result = {"partnerId": str(partner_id), "isValidPartnerIdOnRecord": valid}
        if not valid:
            result.update(errorCode=code, errorDescription=description)
        results.append(result)
    return SandboxResponse(200, {"validationResults": results})


# --- Renewal plans (scheduledNextTermInstructions), expiry, scheduled eligibilities -----------
#
# A plan is kept as ``subscription["next_term"]``: {"offer_id", "term_duration", "billing_cycle",
# "quantity"}. It needs auto-renew on and an active subscription; a mid-term quantity change or a
# suspension removes it (Microsoft: "all scheduled changes are deleted"); at renewal it becomes
# the new term. How a plan is removed is unconfirmed: the ``schedule_removal`` switch picks
# ``null`` (the field set to null removes it; ``{}`` is refused) or ``empty_object`` (``{}``
# removes it; null, as in a body read back unchanged, leaves it).

DISABLED_AFTER_EXPIRY_SECONDS = 30 * 24 * 3600
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


def apply_next_term_change(subscription: dict, changes: dict) -> None:
    if "next_term" in changes:
        subscription["next_term"] = changes["next_term"]
    elif "quantity" in changes or changes.get("status") == "suspended":
        # Any mid-term change or a suspension deletes the scheduled changes.
        subscription["next_term"] = None


def apply_next_term(subscription: dict) -> None:
    """At renewal the plan becomes the new term, then is spent."""
    plan = subscription.get("next_term")
    if not plan:
        return
    subscription.update(
        offer_id=plan["offer_id"],
        term_duration=plan["term_duration"],
        billing_cycle=plan["billing_cycle"],
        quantity=plan["quantity"],
        next_term=None,
    )
    _, sku = demo.find_sku(*plan["offer_id"].split(":"))
    subscription["offer_name"] = subscription["friendly_name"] = sku["title"]


def disable_after_expiry(ctx: RequestContext, subscription: dict) -> bool:
    """Expired: 30 days of access, then disabled (the research's figure for NCE)."""
    expired_at = subscription.get("expired_at")
    if subscription["status"] != "expired" or expired_at is None:
        return False
    if ctx.business_now <= expired_at + DISABLED_AFTER_EXPIRY_SECONDS:
        return False
    subscription["status"] = "disabled"
    return True


def next_term_json(ctx: RequestContext, subscription: dict) -> dict | None:
    plan = subscription.get("next_term")
    if not plan:
        return None
    product_id, sku_id = plan["offer_id"].split(":")
    return {
        "product": {
            "productId": product_id,
            "skuId": sku_id,
            "availabilityId": plan["availability_id"],
            "billingCycle": plan["billing_cycle"],
            "termDuration": plan["term_duration"],
        },
        "quantity": plan["quantity"],
    }


def transition_eligibilities(ctx: RequestContext) -> SandboxResponse:
    """GET …/subscriptions/{id}/transitionEligibilities?eligibilityType=scheduled: the targets a
    renewal plan may name (the same SKU and the higher ones on its upgrade ladder)."""
    customer = related_customer(ctx, ctx.args["customer_id"])
    subscription = settle(ctx, _customer_subscription(ctx, customer))
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
