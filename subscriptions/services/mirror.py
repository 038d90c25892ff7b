"""Filling the mirror from Partner Center: when an order activates, by the sync, on «Aggiorna».

Only subscriptions sold here are mirrored (an order line names them). A subscription that Partner
Center lists under the reseller's MPN ID for one of our customers but that no order of ours sold
is recorded apart (``UnsoldSubscription``) for staff, never adopted into the mirror.
"""

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from orders.models import Order, OrderLine, OrderStatus
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import PartnerCenterError
from partnercenter.services import partner_center_client
from subscriptions.models import (
    SYNC_FIELD_LABELS,
    Subscription,
    SubscriptionEvent,
    UnsoldSubscription,
)
from subscriptions.services.renewals import LifecycleFacts, subscription_record_lifecycle
from tenants.models import Customer

logger = logging.getLogger(__name__)

# Mirror fields a sync compares (the timeline words them: SYNC_FIELD_LABELS).
WATCHED_FIELDS = tuple(SYNC_FIELD_LABELS)


def mirror_facts(remote: pc.Subscription) -> dict:
    """The mirror's columns for what Partner Center reported."""
    product_id, _, rest = remote.offer_id.partition(":")
    return {
        "entitlement_id": remote.entitlement_id,
        "product_id": product_id,
        "sku_id": rest.split(":")[0],
        "title": (remote.friendly_name or remote.offer_name)[:255],
        "quantity": remote.quantity,
        "term": remote.term_duration,
        "billing": remote.billing_cycle.lower(),
        "status": remote.status.lower(),
        "auto_renew_enabled": remote.auto_renew_enabled,
        "partner_id": remote.partner_id,
        "started_at": remote.effective_start_date or remote.creation_date,
        "commitment_end": remote.commitment_end_date,
        "cancellation_allowed_until": remote.cancellation_allowed_until,
        "refundable_quantity": remote.refundable_quantity,
        "refund_buckets": [
            {"quantity": bucket.quantity, "until": bucket.allowed_until.isoformat()}
            for bucket in remote.refund_buckets
        ],
        "etag": remote.etag,
        "scheduled_next_term": remote.scheduled_next_term,
    }


def subscription_apply_remote(
    *, subscription: Subscription, remote: pc.Subscription, record_change: bool = True
) -> list[str]:
    """Save what Partner Center reported on the mirror row; returns the watched fields that
    changed (recorded on the timeline when ``record_change``)."""
    facts = mirror_facts(remote)
    changed = [name for name in WATCHED_FIELDS if getattr(subscription, name) != facts[name]]
    before = LifecycleFacts.of(subscription)
    for name, value in facts.items():
        setattr(subscription, name, value)
    subscription.synced_at = timezone.now()
    subscription.vanished_at = None
    subscription.save()
    if changed and record_change:
        SubscriptionEvent.objects.create(
            subscription=subscription,
            kind=SubscriptionEvent.Kind.SYNC_CHANGED,
            summary=",".join(changed)[:255],
        )
    # Renewed, expired or disabled since the last look: the timeline says so.
    subscription_record_lifecycle(subscription=subscription, before=before)
    return changed


# --- An order just activated ---------------------------------------------------------------


def subscriptions_mirror_order(*, order_id: int) -> int:
    """Mirror the subscriptions of an active order (safe to run twice); how many are new."""
    order = Order.objects.select_related("customer", "reseller").get(pk=order_id)
    if order.status != OrderStatus.ACTIVE or not order.partner_center_customer_id:
        return 0
    lines = {
        line.partner_center_subscription_id: line
        for line in order.lines.exclude(partner_center_subscription_id="")
    }
    with partner_center_client() as client:
        remote = client.list_subscriptions(order.partner_center_customer_id, mpn_id=order.mpn_id)
    sold = [item for item in remote if item.id in lines]
    created = 0
    with transaction.atomic():
        for item in sold:
            created += _mirror_new(order=order, line=lines[item.id], remote=item)
        _link_parents(order.customer, sold)
    return created


def _mirror_new(*, order: Order, line: OrderLine | None, remote: pc.Subscription) -> int:
    subscription, created = Subscription.objects.get_or_create(
        partner_center_id=remote.id,
        defaults={
            **mirror_facts(remote),
            "reseller": order.reseller,
            "customer": order.customer,
            "order": order,
            "order_line": line,
            "partner_center_customer_id": order.partner_center_customer_id,
            "synced_at": timezone.now(),
        },
    )
    if created:
        SubscriptionEvent.objects.create(
            subscription=subscription,
            kind=SubscriptionEvent.Kind.MIRRORED,
            summary=f"{order.number}: {subscription.quantity} × {subscription.title}"[:255],
        )
    return int(created)


def _link_parents(customer: Customer, remote: list[pc.Subscription]) -> None:
    parents = {
        item.id: item.parent_subscription_id for item in remote if item.parent_subscription_id
    }
    if not parents:
        return
    rows = {
        row.partner_center_id: row
        for row in Subscription.objects.filter(customer=customer).only("pk", "partner_center_id")
    }
    for child_id, parent_id in parents.items():
        if child_id in rows and parent_id in rows:
            Subscription.objects.filter(pk=rows[child_id].pk).update(parent=rows[parent_id].pk)


# --- The sync ----------------------------------------------------------------------------------


@dataclass
class SyncReport:
    customers: int = 0
    found: int = 0
    added: int = 0
    changed: list[str] = field(default_factory=list)
    vanished: list[str] = field(default_factory=list)
    never_sold_here: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"clienti: {self.customers}",
            f"trovate: {self.found} (nuove nel mirror: {self.added})",
            f"cambiate: {len(self.changed)} {' '.join(self.changed)}".rstrip(),
            f"sparite da Partner Center: {len(self.vanished)} {' '.join(self.vanished)}".rstrip(),
            "in Partner Center ma mai vendute qui: "
            f"{len(self.never_sold_here)} {' '.join(self.never_sold_here)}".rstrip(),
            f"errori: {len(self.errors)} {' '.join(self.errors)}".rstrip(),
        ]


def subscriptions_sync(*, customer_id: int | None = None, dry_run: bool = False) -> SyncReport:
    """Compare the mirror with Partner Center, customer by customer (only the reseller's own
    subscriptions: ``?mpn_id=``); with ``dry_run`` report without writing anything."""
    customers = Customer.objects.exclude(partner_center_customer_id=None).select_related("reseller")
    if customer_id is not None:
        customers = customers.filter(pk=customer_id)
    report = SyncReport()
    with partner_center_client() as client:
        for customer in customers.order_by("pk"):
            report.customers += 1
            try:
                _sync_customer(client, customer, report, dry_run=dry_run)
            except PartnerCenterError as exc:  # one customer's failure must not stop the others
                report.errors.append(f"{customer.pk}:{type(exc).__name__}")
                logger.warning("sync of customer %s failed: %s", customer.pk, exc)
    return report


def _sync_customer(
    client: PartnerCenterClient, customer: Customer, report: SyncReport, *, dry_run: bool
) -> None:
    mpn_id = customer.reseller.mpn_id
    remote = client.list_subscriptions(str(customer.partner_center_customer_id), mpn_id=mpn_id)
    remote_by_id = {item.id: item for item in remote}
    mirrored = {
        row.partner_center_id: row for row in Subscription.objects.filter(customer=customer)
    }
    sold_lines = {
        line.partner_center_subscription_id: line
        for line in OrderLine.objects.filter(
            order__customer=customer, order__status=OrderStatus.ACTIVE
        )
        .exclude(partner_center_subscription_id="")
        .select_related("order__reseller", "order__customer")
    }
    now = timezone.now()
    with transaction.atomic():
        for item in remote:
            if item.id in mirrored:
                report.found += 1
                row = mirrored[item.id]
                changed = _would_change(row, item)
                if changed:
                    report.changed.append(item.id)
                if not dry_run:
                    subscription_apply_remote(subscription=row, remote=item)
            elif item.id in sold_lines:
                report.found += 1
                report.added += 1
                if not dry_run:
                    line = sold_lines[item.id]
                    _mirror_new(order=line.order, line=line, remote=item)
            else:
                report.never_sold_here.append(item.id)
                if not dry_run:
                    _record_unsold(customer, item, now)
        for pc_id, row in mirrored.items():
            if pc_id not in remote_by_id and row.vanished_at is None:
                report.vanished.append(pc_id)
                if not dry_run:
                    row.vanished_at = now
                    row.save(update_fields=["vanished_at"])
                    SubscriptionEvent.objects.create(
                        subscription=row,
                        kind=SubscriptionEvent.Kind.VANISHED,
                        summary="",
                    )
        if not dry_run:
            _link_parents(customer, list(remote))


def _would_change(row: Subscription, remote: pc.Subscription) -> bool:
    facts = mirror_facts(remote)
    return any(getattr(row, name) != facts[name] for name in WATCHED_FIELDS)


def _record_unsold(customer: Customer, remote: pc.Subscription, now) -> None:
    UnsoldSubscription.objects.update_or_create(
        partner_center_id=remote.id,
        defaults={
            "customer": customer,
            "title": (remote.friendly_name or remote.offer_name)[:255],
            "quantity": remote.quantity,
            "status": remote.status[:16],
            "partner_id": remote.partner_id[:16],
            "last_seen_at": now,
        },
    )


# --- «Aggiorna» and after a change -----------------------------------------------------------


def subscription_refresh(*, subscription_id: int) -> list[str]:
    """Read one subscription from Partner Center into the mirror; the fields that changed."""
    subscription = Subscription.objects.get(pk=subscription_id)
    with partner_center_client() as client:
        remote = client.get_subscription(
            subscription.partner_center_customer_id, subscription.partner_center_id
        )
    return subscription_apply_remote(subscription=subscription, remote=remote)
