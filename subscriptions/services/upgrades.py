"""Upgrades now («Passa a un prodotto superiore»): a change request of kind ``upgrade``.

1. What the page offers comes from Partner Center's immediate transition eligibilities, read by
   a worker (``subscription_upgrade_targets_refresh``) into ``Subscription.upgrade_targets``:
   pages never call Partner Center. A target blocked by add-ons (code 6) is shown with its reason
   and refused before any call, like every other refusal.
2. ``upgrade_request_create`` checks the form against those targets, then creates the request
   (idempotency key, one open change per subscription) through the common service.
3. The worker (``upgrade_advance``, from ``change_request_run``): reads the source, asks the
   eligibilities again (fresher facts) and, eligible, POSTs the transition with the MS-RequestId
   stored first (an unknown outcome re-sends the same one, which Partner Center replays); then it
   follows ``GET …/transitions?operationId=`` until Completed or Failed, and mirrors the result:
   the source's seats, the new subscription (which inherits the source's term and window) or the
   existing one that received them.
"""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from orders import conf as retry_conf
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import PartnerCenterError
from partnercenter.services import partner_center_client
from subscriptions import errors, events
from subscriptions.errors import ChangeRefused
from subscriptions.models import ChangeRequest, Subscription, SubscriptionEvent
from subscriptions.services.change_steps import _complete, _read, _record, _request_id_for
from subscriptions.services.changes import change_request_create
from subscriptions.services.mirror import mirror_facts, subscription_apply_remote

# --- The targets the page offers -------------------------------------------------------------


def _target_json(item: pc.TransitionEligibility) -> dict:
    return {
        "offer_id": item.offer_id,
        "catalog_item_id": item.catalog_item_id,
        "title": item.title,
        "is_eligible": item.is_eligible,
        "errors": [{"code": e.code, "description": e.description} for e in item.errors],
        "targets": [
            {"id": target.subscription_id, "name": target.friendly_name}
            for target in item.target_subscriptions
            if target.is_eligible
        ],
    }


def subscription_upgrade_targets_refresh(*, subscription_id: int) -> list[dict]:
    """Ask Partner Center where the subscription can be upgraded now; stored for the page."""
    subscription = Subscription.objects.get(pk=subscription_id)
    with partner_center_client() as client:
        items = client.get_transition_eligibilities(
            subscription.partner_center_customer_id, subscription.partner_center_id
        )
    targets = [_target_json(item) for item in items]
    Subscription.objects.filter(pk=subscription.pk).update(
        upgrade_targets=targets, upgrade_targets_checked_at=timezone.now()
    )
    return targets


@dataclass(frozen=True)
class UpgradeTarget:
    offer_id: str
    title: str
    is_eligible: bool
    refusal_code: str
    refusal_detail: str
    existing: tuple[tuple[str, str], ...]  # (Partner Center id, name) of subscriptions to join

    @property
    def is_blocked_by_addons(self) -> bool:
        return self.refusal_code == pc.ADDONS_PRESENT_CODE

    @property
    def reason(self) -> str:
        return errors.change_failure_message(self.refusal_code) if self.refusal_code else ""


def upgrade_targets(subscription: Subscription) -> list[UpgradeTarget]:
    """The stored targets, as the page and the checks read them."""
    found = []
    for item in subscription.upgrade_targets or []:
        first_error = (item.get("errors") or [{}])[0]
        found.append(
            UpgradeTarget(
                offer_id=str(item.get("offer_id", "")),
                title=str(item.get("title", "")),
                is_eligible=bool(item.get("is_eligible")),
                refusal_code="" if item.get("is_eligible") else str(first_error.get("code", "0")),
                refusal_detail=str(first_error.get("description", "")),
                existing=tuple(
                    (str(target["id"]), str(target.get("name", "")))
                    for target in item.get("targets") or []
                ),
            )
        )
    return found


# --- Creating the request --------------------------------------------------------------------


def upgrade_request_create(
    *,
    subscription: Subscription,
    user,
    idempotency_key: uuid.UUID,
    target_offer_id: str,
    seats: int,
    to_subscription_id: str = "",
) -> ChangeRequest:
    """The upgrade request of this form, or ChangeRefused (before any call) when the target is
    not offered, is blocked (add-ons: code 6) or the seats are more than the subscription has."""
    existing = ChangeRequest.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return change_request_create(
            subscription=subscription,
            user=user,
            kind=ChangeRequest.Kind.UPGRADE,
            idempotency_key=idempotency_key,
        )
    target = next((t for t in upgrade_targets(subscription) if t.offer_id == target_offer_id), None)
    if target is None:
        raise ChangeRefused(errors.UPGRADE_NOT_OFFERED, target_offer_id)
    if not target.is_eligible:
        raise ChangeRefused(target.refusal_code, target.refusal_detail)
    if not 1 <= seats <= subscription.quantity:
        raise ChangeRefused(errors.UPGRADE_SEATS)
    if to_subscription_id and to_subscription_id not in dict(target.existing):
        raise ChangeRefused(errors.UPGRADE_NOT_OFFERED, to_subscription_id)
    return change_request_create(
        subscription=subscription,
        user=user,
        kind=ChangeRequest.Kind.UPGRADE,
        idempotency_key=idempotency_key,
        seats=seats,
        details={
            "target_offer_id": target.offer_id,
            "target_title": target.title[:255],
            "target_partner_center_id": to_subscription_id,
        },
    )


# --- Running it ----------------------------------------------------------------------------


def upgrade_advance(change: ChangeRequest, client: PartnerCenterClient) -> float | None:
    subscription = change.subscription
    in_flight = bool(change.transition_operation_id or change.ms_request_id)
    remote = _read(client, subscription, ours_in_flight=in_flight)
    if change.transition_operation_id:
        return _follow(change, client, subscription)
    if not change.ms_request_id:
        # A first attempt (or one whose earlier POST was definitely not executed): Partner
        # Center's fresh facts decide, before the POST.
        _check_eligible(change, client, subscription, remote)
    request_id = _request_id_for(change, remote.id)
    assert change.seats is not None, "an upgrade is created with its seats"
    try:
        transition = client.create_transition(
            request_id=request_id,
            customer_id=subscription.partner_center_customer_id,
            subscription=remote,
            to_catalog_item_id=change.target_catalog_item_id,
            quantity=change.seats,
            to_subscription_id=change.target_partner_center_id,
        )
    except PartnerCenterError as exc:
        if not exc.outcome_unknown:
            _record(change, ms_request_id="", request_target_id="")
        raise
    _record(change, transition_operation_id=transition.operation_id, ms_request_id="")
    events.event_transition_started(change_request=change, operation_id=transition.operation_id)
    return _follow(change, client, subscription)


def _check_eligible(change, client, subscription: Subscription, remote) -> None:
    status = remote.status.lower()
    if status == "suspended":
        raise ChangeRefused("2", "source suspended")
    if status != "active":
        raise ChangeRefused("2011" if status in ("deleted", "expired") else "2", status)
    if change.seats > remote.quantity:
        raise ChangeRefused(errors.UPGRADE_SEATS, f"{change.seats} > {remote.quantity}")
    items = client.get_transition_eligibilities(
        subscription.partner_center_customer_id, subscription.partner_center_id
    )
    item = next((i for i in items if i.offer_id == change.target_offer_id), None)
    if item is None:
        raise ChangeRefused("8", f"{change.target_offer_id} not among the eligibilities")
    if not item.is_eligible:
        error = item.errors[0] if item.errors else None
        raise ChangeRefused(error.code if error else "8", error.description if error else "")
    wanted = change.target_partner_center_id
    if wanted and wanted not in {t.subscription_id for t in item.target_subscriptions}:
        raise ChangeRefused("8", f"{wanted} cannot receive the seats")
    _record(change, target_catalog_item_id=item.catalog_item_id)


def _follow(change: ChangeRequest, client, subscription: Subscription) -> float | None:
    transitions = client.list_transitions(
        subscription.partner_center_customer_id,
        subscription.partner_center_id,
        operation_id=change.transition_operation_id,
    )
    found = next((t for t in transitions if t.operation_id == change.transition_operation_id), None)
    if found is not None and found.is_failed:
        raise ChangeRefused(errors.UPGRADE_FAILED, f"transition {found.operation_id} Failed")
    if found is None or not found.is_completed:
        return _wait_for_transition(change)
    _mirror_result(change, client, subscription, found.to_subscription_id)
    _complete(change)
    return None


def _wait_for_transition(change: ChangeRequest) -> float:
    """Past the activation timeout (orders' setting) the request fails visibly for staff."""
    started = (
        change.events.filter(type=events.Type.TRANSITION_STARTED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if started is not None and timezone.now() - started > retry_conf.activation_timeout():
        raise ChangeRefused(errors.PARTNER_CENTER_UNAVAILABLE, "transition never completed")
    return retry_conf.poll_seconds()


def _mirror_result(change, client, subscription: Subscription, target_id: str) -> None:
    """The source as it is now; the target: refreshed, or mirrored as new (its order is the
    source's: the upgrade sold it here)."""
    source_remote = client.get_subscription(
        subscription.partner_center_customer_id, subscription.partner_center_id
    )
    target_remote = client.get_subscription(subscription.partner_center_customer_id, target_id)
    with transaction.atomic():
        subscription_apply_remote(
            subscription=subscription, remote=source_remote, record_change=False
        )
        target = Subscription.objects.filter(partner_center_id=target_id).first()
        if target is not None:
            subscription_apply_remote(subscription=target, remote=target_remote)
        else:
            target = Subscription.objects.create(
                **mirror_facts(target_remote),
                partner_center_id=target_id,
                reseller=subscription.reseller,
                customer=subscription.customer,
                order=subscription.order,
                partner_center_customer_id=subscription.partner_center_customer_id,
                synced_at=timezone.now(),
            )
            SubscriptionEvent.objects.create(
                subscription=target,
                kind=SubscriptionEvent.Kind.MIRRORED,
                summary=f"{subscription.title} → {target.title}: {change.seats}"[:255],
            )
        _record(change, target_partner_center_id=target_id)
