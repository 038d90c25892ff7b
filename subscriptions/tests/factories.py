"""Subscriptions for tests: through a real provisioning run, or written straight into the mirror."""

import uuid
from datetime import timedelta

from django.utils import timezone

from orders.models import Order
from orders.tasks import order_provision_task
from orders.tests.factories import contoso_customer, order_user, placed_order
from subscriptions.models import Subscription


def active_order(capture, *, user=None, quantity: int = 5, addon_quantity: int | None = 2) -> Order:
    """Contoso's order provisioned in-process against the sandbox, everything it queued after
    commit run too: active, e-mailed, its subscriptions mirrored."""
    user = user or order_user()
    order = placed_order(
        user=user,
        customer=contoso_customer(reseller=user.reseller),
        quantity=quantity,
        addon_quantity=addon_quantity,
    )
    with capture(execute=True):
        order_provision_task.delay(order.pk)
    order.refresh_from_db()
    return order


def mirrored_subscription(*, order: Order | None = None, **fields) -> Subscription:
    """A mirror row for an order placed (not provisioned): pages and abuse tests need no sandbox."""
    order = order or placed_order()
    line = order.lines.filter(base_line=None).first()
    now = timezone.now()
    values = {
        "reseller": order.reseller,
        "customer": order.customer,
        "order": order,
        "order_line": line,
        "partner_center_id": str(uuid.uuid4()),
        "partner_center_customer_id": str(uuid.uuid4()),
        "product_id": line.product_id,
        "sku_id": line.sku_id,
        "title": line.product_title,
        "quantity": line.quantity,
        "term": line.term,
        "billing": line.billing,
        "status": Subscription.Status.ACTIVE,
        "auto_renew_enabled": True,
        "partner_id": order.mpn_id,
        "started_at": now - timedelta(days=1),
        "commitment_end": now + timedelta(days=364),
        "cancellation_allowed_until": now + timedelta(days=6),
        "refundable_quantity": line.quantity,
        "refund_buckets": [
            {"quantity": line.quantity, "until": (now + timedelta(days=6)).isoformat()}
        ],
        "synced_at": now - timedelta(hours=1),
        **fields,
    }
    return Subscription.objects.create(**values)
