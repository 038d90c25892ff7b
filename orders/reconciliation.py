"""Our subscriptions against Partner Center's: what ``reconcile_subscriptions`` reports.

Read-only on both sides: differences are for staff to look into, never corrected here.
"""

from collections import defaultdict
from dataclasses import dataclass

from orders.models import Order, OrderLine
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import PartnerCenterNotFound
from partnercenter.services import partner_center_call_context


@dataclass(frozen=True)
class Difference:
    order: Order
    subscription_id: str
    what: str  # "missing_in_partner_center", "unknown_locally", "status", "quantity"
    ours: str
    theirs: str

    def __str__(self) -> str:
        return (
            f"{self.order.number} subscription {self.subscription_id or '—'}: {self.what} "
            f"(ours: {self.ours or '—'}, Partner Center: {self.theirs or '—'})"
        )


def order_reconcile_subscriptions(*, order: Order, client: PartnerCenterClient) -> list[Difference]:
    """Compare the order's lines with the subscriptions of its Partner Center orders."""
    lines_by_order: dict[str, list[OrderLine]] = defaultdict(list)
    for line in order.lines.exclude(partner_center_order_id="").order_by("position"):
        lines_by_order[line.partner_center_order_id].append(line)
    differences = []
    with partner_center_call_context(order_id=order.pk):
        for partner_center_order_id, lines in lines_by_order.items():
            try:
                theirs = client.list_subscriptions_by_order(
                    order.partner_center_customer_id, partner_center_order_id
                )
            except PartnerCenterNotFound:
                theirs = ()
            differences += _compare(order, lines, theirs)
    return differences


def _compare(order: Order, lines: list[OrderLine], theirs: tuple[pc.Subscription, ...]):
    by_id = {subscription.id: subscription for subscription in theirs}
    for line in lines:
        subscription = by_id.pop(line.partner_center_subscription_id, None)
        if subscription is None:
            yield Difference(
                order,
                line.partner_center_subscription_id,
                "missing_in_partner_center",
                f"{line.quantity} × {line.sku_title}",
                "",
            )
            continue
        if subscription.status.lower() != line.subscription_status.lower():
            yield Difference(
                order, subscription.id, "status", line.subscription_status, subscription.status
            )
        if subscription.quantity != line.quantity:
            yield Difference(
                order, subscription.id, "quantity", str(line.quantity), str(subscription.quantity)
            )
    for subscription in by_id.values():
        yield Difference(
            order,
            subscription.id,
            "unknown_locally",
            "",
            f"{subscription.quantity} × {subscription.offer_name or subscription.offer_id}",
        )
