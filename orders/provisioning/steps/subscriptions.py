"""The step on the subscriptions the submitted cart created: wait until Partner Center reports
every one active (a just placed Partner Center order is invisible for a while)."""

from collections import defaultdict

from django.utils import timezone

from orders import conf
from orders.models import FailureReason, Order, OrderEvent, OrderLine
from orders.provisioning.errors import StepFailed
from orders.provisioning.recording import order_update_if_provisioning, step_done
from orders.services.status import Failure
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import PartnerCenterNotFound

Step = OrderEvent.Step


def step_await_activation(order: Order, client: PartnerCenterClient) -> float | None:
    if order.activated_at is not None:
        return None
    if order.activation_wait_started_at is None:
        # The timeout counts from when this wait (re)started: a retry by staff waits anew.
        order_update_if_provisioning(order, activation_wait_started_at=timezone.now())
    lines = list(order.lines.order_by("position"))
    by_order = defaultdict(list)
    for line in lines:
        if not line.is_subscription_active:
            by_order[line.partner_center_order_id].append(line)
    for partner_center_order_id, order_lines in by_order.items():
        try:
            subscriptions = client.list_subscriptions_by_order(
                order.partner_center_customer_id, partner_center_order_id
            )
        except PartnerCenterNotFound:
            continue  # a just placed order is not visible for a while (404, code 20000)
        _update_subscriptions(order_lines, subscriptions)
    if order.transient_failures:
        order_update_if_provisioning(
            order, transient_failures=0
        )  # Partner Center answered: the run of errors ended
    if any(not line.is_subscription_active for line in lines):
        if timezone.now() - order.activation_wait_started_at > conf.activation_timeout():
            raise StepFailed(
                Failure(
                    reason=FailureReason.PARTNER_CENTER_UNAVAILABLE,
                    code="activation_timeout",
                    detail="Le sottoscrizioni non risultano attive in Partner Center dopo "
                    f"{conf.activation_timeout()}.",
                )
            )
        return conf.poll_seconds()
    step_done(
        order,
        step=Step.ACTIVATION,
        facts={
            "subscriptions": [
                (line.sku_title, line.partner_center_subscription_id) for line in lines
            ]
        },
        activated_at=timezone.now(),
    )
    return None


def _update_subscriptions(
    lines: list[OrderLine], subscriptions: tuple[pc.Subscription, ...]
) -> None:
    unclaimed = {subscription.id: subscription for subscription in subscriptions}
    for line in sorted(lines, key=lambda line: not line.partner_center_subscription_id):
        subscription = unclaimed.pop(line.partner_center_subscription_id, None) or _same_offer(
            line, unclaimed
        )
        if subscription is None:
            continue
        line.partner_center_subscription_id = subscription.id
        line.subscription_status = subscription.status.lower()
        line.subscription_started_at = subscription.creation_date
    OrderLine.objects.bulk_update(
        lines,
        ["partner_center_subscription_id", "subscription_status", "subscription_started_at"],
    )


def _same_offer(line: OrderLine, unclaimed: dict[str, pc.Subscription]) -> pc.Subscription | None:
    """For a line whose order line item named no subscription: the one of the same offer."""
    if line.partner_center_subscription_id:
        return None
    offer = f"{line.product_id}:{line.sku_id}"
    for subscription in unclaimed.values():
        if (
            subscription.offer_id.startswith(offer)
            and subscription.term_duration == line.term
            and subscription.quantity == line.quantity
        ):
            return unclaimed.pop(subscription.id)
    return None
