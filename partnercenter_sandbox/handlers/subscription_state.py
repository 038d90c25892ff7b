"""A stored subscription and its life: creation (checkout, a transition), the lazy clock that
renews or expires it at term end, a change applied, and the published shape.

Business time: windows, terms and renewals follow the sandbox clock (``ctx.business_now``, moved
by ``/_sandbox/clock``); technical delays (activation, a 202's completion, tokens) follow the wall.
"""

import calendar
import uuid
from datetime import UTC, datetime, timedelta

from partnercenter_sandbox import demo
from partnercenter_sandbox.http import RequestContext, business_error, iso, link

REFUND_WINDOW_SECONDS = 7 * 24 * 3600
TERM_MONTHS = {"P1M": 1, "P1Y": 12, "P3Y": 36}
DISABLED_AFTER_EXPIRY_SECONDS = 30 * 24 * 3600


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
            apply_change(ctx, subscription, pending["changes"], pending["business_at"])
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


def customer_subscription(ctx: RequestContext, customer: dict) -> dict:
    subscription = ctx.store.get("subscription", ctx.args["subscription_id"])
    if subscription is None or subscription["customer_id"] != customer["id"]:
        raise business_error(404, 800060, "SubscriptionNotFound", "Subscription not found.")
    return subscription


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


# --- A change applied (a PATCH, or a 202's on its n-th read) ---------------------------------


def apply_change(
    ctx: RequestContext, subscription: dict, changes: dict, business_at: float
) -> None:
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


# --- Renewal plans at term end, expiry ------------------------------------------------------


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
