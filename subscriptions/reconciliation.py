"""``reconcile_subscriptions`` with change requests in mind: orders, the mirror, Partner Center.

An order line keeps what was bought; seats added or removed later through change requests make
Partner Center differ from it. Such a difference is explained (not reported) when the mirror
agrees with Partner Center and a completed change request of that subscription exists; so is a
subscription an upgrade made (Partner Center lists it under the source's order). Reported
on top of orders' differences: the mirror lagging behind Partner Center, and change requests
open for longer than ``STUCK_AFTER`` (a worker should have ended them).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from orders.models import Order
from orders.reconciliation import Difference, order_reconcile_subscriptions
from partnercenter.client import PartnerCenterClient
from subscriptions.models import OPEN_CHANGE_STATUSES, ChangeRequest, ChangeStatus, Subscription

STUCK_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class StuckChange:
    change: ChangeRequest

    def __str__(self) -> str:
        change = self.change
        return (
            f"change request {change.pk} ({change.kind}) of subscription "
            f"{change.subscription.partner_center_id}: {change.status} since "
            f"{timezone.localtime(change.updated_at):%d/%m/%Y %H:%M}"
        )


def subscriptions_reconcile_order(*, order: Order, client: PartnerCenterClient) -> list:
    """Orders' differences for ``order``, less those its change requests explain, plus the
    mirror's own."""
    mirror = {
        row.partner_center_id: row
        for row in Subscription.objects.filter(order=order).prefetch_related("change_requests")
    }
    # Subscriptions an upgrade made here: Partner Center files them under the source's order.
    upgraded_into = set(
        ChangeRequest.objects.filter(
            subscription__order=order,
            kind=ChangeRequest.Kind.UPGRADE,
            status=ChangeStatus.COMPLETED,
        ).values_list("target_partner_center_id", flat=True)
    )
    kept = []
    for difference in order_reconcile_subscriptions(order=order, client=client):
        row = mirror.get(difference.subscription_id)
        if difference.what == "unknown_locally" and difference.subscription_id in upgraded_into:
            continue
        if row is None or difference.what not in ("quantity", "status"):
            kept.append(difference)
            continue
        mirror_value = str(row.quantity) if difference.what == "quantity" else row.status
        agrees = mirror_value.lower() == difference.theirs.lower()
        changed_here = any(
            change.status == ChangeStatus.COMPLETED for change in row.change_requests.all()
        )
        if agrees and changed_here:
            continue
        kept.append(difference)
        if not agrees:
            kept.append(
                Difference(
                    order,
                    row.partner_center_id,
                    f"mirror_{difference.what}",
                    mirror_value,
                    difference.theirs,
                )
            )
    return kept


def change_requests_stuck(*, now=None) -> list[StuckChange]:
    now = now or timezone.now()
    stuck = ChangeRequest.objects.filter(
        status__in=OPEN_CHANGE_STATUSES, updated_at__lt=now - STUCK_AFTER
    ).select_related("subscription")
    return [StuckChange(change) for change in stuck.order_by("pk")]
