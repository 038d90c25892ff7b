"""Change requests: created from the reseller's form, run by the worker against Partner Center.

Creating one checks the same rules the page shows (subscriptions.selectors.subscription_actions)
on the mirror, so a forged POST is refused exactly like a hidden button; the form's idempotency
key makes a double submit find the first request. At most one request per subscription is open
(a database constraint): the next waits until it ends.

A run (``change_request_run``, the Celery task's body), each step safe to repeat after a crash:
1. claim the request for this run (a lease, as orders do) and mark it submitted;
2. validate the reseller as partner of record (``POST /v1/partners/validateresellers``);
3. read the subscription (the mirror is refreshed from it) and decide: done already (a retry
   after a lost answer), refused before any call (same rules, fresher facts), or a PATCH;
4. PATCH the whole subscription back with the change, ``If-Match`` its etag, the MS-RequestId
   stored before the call and kept while the outcome is unknown; a cancel patches the add-ons
   first, one at a time;
5. 200: completed; 202 + Location: poll the subscription until it shows the change.
Transient errors wait and retry (orders' backoff settings); business refusals fail at once with
their code; the reseller is e-mailed once when the request completes or fails.
"""

import logging
import random
import uuid
from datetime import timedelta

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from orders import conf as retry_conf
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterError,
    PartnerCenterInvalidResponse,
    PartnerCenterNotFound,
    PartnerCenterRateLimited,
    PartnerCenterUnauthorized,
    PartnerCenterUnavailable,
)
from partnercenter.services import partner_center_call_context, partner_center_client
from storefront.models import Reseller
from subscriptions import errors, events
from subscriptions.errors import ChangeRefused
from subscriptions.models import (
    OPEN_CHANGE_STATUSES,
    ChangeRequest,
    ChangeStatus,
    Subscription,
    SubscriptionEvent,
)
from subscriptions.selectors import removable_seats, subscription_actions
from subscriptions.services import renewals
from subscriptions.services.change_steps import (
    _complete,
    _fail,
    _patch,
    _poll_accepted,
    _read,
    _record,
)
from subscriptions.services.mirror import subscription_apply_remote
from subscriptions.services.status import change_request_enqueue, change_request_set_status

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (
    PartnerCenterUnavailable,
    PartnerCenterRateLimited,
    PartnerCenterInvalidResponse,
)
BUSINESS_ERRORS = (PartnerCenterBusinessError, PartnerCenterNotFound, PartnerCenterUnauthorized)
# Partner Center codes that say "not now" rather than "no": a pending operation, a stale etag.
RETRY_LATER_CODES = frozenset({"900278", "412"})
RUN_LEASE = timedelta(minutes=5)
POR_VALID_SECONDS = 300
# Suspend and reactivate are a PATCH of the status (billing goes on while suspended).
STATUS_CHANGES: dict[str, str] = {
    ChangeRequest.Kind.SUSPEND: "suspended",
    ChangeRequest.Kind.REACTIVATE: "active",
}


# --- Creating a request ----------------------------------------------------------------------


def change_request_create(
    *,
    subscription: Subscription,
    user,
    kind: str,
    idempotency_key: uuid.UUID,
    seats: int | None = None,
    auto_renew_enabled: bool | None = None,
    confirm_name: str = "",
    next_term: dict | None = None,
    details: dict | None = None,
) -> ChangeRequest:
    """The request of this form (found again on a double submit), or ChangeRefused with the
    reason the change is not allowed now. Enqueued for the worker once committed; ``details``
    are further columns of the request (an upgrade's target, checked by its service)."""
    existing = ChangeRequest.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.subscription_id != subscription.pk:
            raise ChangeRefused(errors.CHANGE_IN_PROGRESS, "idempotency key of another request")
        return existing
    _check_allowed(subscription, kind, seats, auto_renew_enabled, confirm_name)
    if kind == ChangeRequest.Kind.PLAN_RENEWAL and not renewals.is_valid_plan(next_term):
        raise ChangeRefused(errors.PLAN_INVALID)
    try:
        with transaction.atomic():
            Subscription.objects.select_for_update().get(pk=subscription.pk)
            change = ChangeRequest.objects.create(
                subscription=subscription,
                user=user,
                kind=kind,
                seats=seats,
                auto_renew_enabled=auto_renew_enabled,
                next_term=next_term if kind == ChangeRequest.Kind.PLAN_RENEWAL else None,
                idempotency_key=idempotency_key,
                attention_due_at=timezone.now(),
                **(details or {}),
            )
            events.event_requested(change_request=change, user=user)
            SubscriptionEvent.objects.create(
                subscription=subscription,
                kind=SubscriptionEvent.Kind.CHANGE_REQUESTED,
                change_request=change,
                summary=change.kind,
            )
            change_request_enqueue(change_request_id=change.pk)
    except IntegrityError:
        # Two submits at once: the same key (the first wins), or another change already open.
        existing = ChangeRequest.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        raise ChangeRefused(errors.CHANGE_IN_PROGRESS) from None
    return change


def _check_allowed(subscription, kind, seats, auto_renew_enabled, confirm_name) -> None:
    has_open = ChangeRequest.objects.filter(
        subscription=subscription, status__in=OPEN_CHANGE_STATUSES
    ).exists()
    action = subscription_actions(subscription=subscription, has_open_change=has_open)[kind]
    if not action.is_allowed:
        raise ChangeRefused(_refusal_code(subscription, kind, has_open), action.reason)
    kinds = ChangeRequest.Kind
    if kind in (kinds.ADD_SEATS, kinds.REMOVE_SEATS) and (seats is None or seats < 1):
        raise ChangeRefused("2002")
    if kind == kinds.REMOVE_SEATS and seats >= subscription.quantity:
        raise ChangeRefused(errors.LAST_SEAT)
    if kind == kinds.REMOVE_SEATS and seats > removable_seats(subscription):
        raise ChangeRefused("800090")
    if kind == kinds.AUTO_RENEW and auto_renew_enabled is None:
        raise ChangeRefused(errors.NOT_ACTIVE)
    if kind == kinds.CANCEL and confirm_name.strip().casefold() != subscription.title.casefold():
        raise ChangeRefused(errors.NAME_MISMATCH)


def _refusal_code(subscription: Subscription, kind: str, has_open: bool) -> str:
    if has_open:
        return errors.CHANGE_IN_PROGRESS
    if subscription.reseller.mpn_status == Reseller.MpnStatus.INVALID:
        return "900400"
    is_suspended = subscription.status == Subscription.Status.SUSPENDED
    if kind == ChangeRequest.Kind.REACTIVATE and not is_suspended:
        return errors.NOT_SUSPENDED
    if kind == ChangeRequest.Kind.SUSPEND and is_suspended:
        return errors.ALREADY_SUSPENDED
    if kind == ChangeRequest.Kind.UPGRADE and is_suspended:
        return "2"
    if subscription.status == Subscription.Status.SUSPENDED:
        return "800091"
    if subscription.status != Subscription.Status.ACTIVE:
        return errors.NOT_ACTIVE
    return {"remove_seats": "800090", "cancel": "900117"}.get(kind, errors.NOT_ACTIVE)


# --- Running a request ---------------------------------------------------------------------


def change_request_run(*, change_request_id: int) -> float | None:
    """Advance the request as far as it goes now: the seconds to wait, or None when done."""
    change = _claim(change_request_id)
    if change is None:
        return None
    try:
        with (
            partner_center_call_context(order_id=change.subscription.order_id),
            partner_center_client() as client,
        ):
            wait = _advance(change, client)
        if wait is not None:
            _record(change, attention_due_at=timezone.now() + timedelta(seconds=wait))
        return wait
    except ChangeRefused as refusal:
        _fail(change, refusal.code, refusal.detail or refusal.code)
    except PartnerCenterError as exc:
        code = exc.error_code
        if isinstance(exc, TRANSIENT_ERRORS) or code in RETRY_LATER_CODES or exc.http_status == 412:
            return _after_transient_error(change, exc)
        if isinstance(exc, PartnerCenterUnauthorized) and not code:
            code = errors.PARTNER_CENTER_UNAUTHORIZED
        _fail(change, code or "partner_center", f"{exc.message} (MS-RequestId {exc.ms_request_id})")
    finally:
        ChangeRequest.objects.filter(pk=change.pk, run_lease_until=change.run_lease_until).update(
            run_lease_until=None
        )
    return None


def _claim(change_request_id: int) -> ChangeRequest | None:
    now = timezone.now()
    with transaction.atomic():
        change = (
            ChangeRequest.objects.select_for_update()
            .filter(pk=change_request_id, status__in=OPEN_CHANGE_STATUSES)
            .first()
        )
        if change is None:
            return None
        if change.attention_due_at is not None and change.attention_due_at > now:
            return None
        if change.run_lease_until is not None and change.run_lease_until > now:
            return None
        if change.status == ChangeStatus.REQUESTED:
            change_request_set_status(
                change_request_id=change.pk,
                to_status=ChangeStatus.SUBMITTED,
                event=events.event_taken,
            )
        ChangeRequest.objects.filter(pk=change.pk).update(
            run_lease_until=now + RUN_LEASE, attention_due_at=now
        )
    return ChangeRequest.objects.select_related(
        "subscription__reseller", "subscription__order", "user"
    ).get(pk=change_request_id)


def _advance(change: ChangeRequest, client: PartnerCenterClient) -> float | None:
    subscription = change.subscription
    _validate_partner_of_record(client, subscription)
    kinds = ChangeRequest.Kind
    if change.kind == kinds.UPGRADE:
        from subscriptions.services.upgrades import upgrade_advance

        return upgrade_advance(change, client)
    remote = _read(
        client, subscription, ours_in_flight=bool(change.accepted_location or change.ms_request_id)
    )
    if _is_done(change, remote):
        _complete(change)
        return None
    if change.kind == kinds.CANCEL:
        return _cancel(change, client, subscription, remote)
    if change.kind in renewals.PLAN_KINDS:
        return renewals.plan_advance(change, client, subscription, remote)
    if change.accepted_location:
        return _poll_accepted(change)  # a 202: Partner Center is still at it
    _check_against(change, remote)
    if change.kind in STATUS_CHANGES:
        return _patch(change, client, subscription, remote, {"status": STATUS_CHANGES[change.kind]})
    if change.kind == kinds.AUTO_RENEW:
        return _patch(
            change, client, subscription, remote, {"autoRenewEnabled": change.auto_renew_enabled}
        )
    if change.target_quantity is None:
        assert change.seats is not None, "a seat change is created with its seats"
        delta = change.seats if change.kind == kinds.ADD_SEATS else -change.seats
        _record(change, target_quantity=remote.quantity + delta)
    return _patch(change, client, subscription, remote, {"quantity": change.target_quantity})


def _validate_partner_of_record(client: PartnerCenterClient, subscription: Subscription) -> None:
    """A valid answer is reused for a few minutes (a reseller's burst of changes asks once); a
    refusal is never cached, and Partner Center checks again on the PATCH anyway (900400)."""
    partner_id = subscription.partner_id or subscription.reseller.mpn_id
    cache_key = f"partner-of-record-valid-{partner_id}"
    if cache.get(cache_key):
        return
    (result,) = client.validate_resellers([partner_id])
    if not result.is_valid:
        raise ChangeRefused(result.error_code or "900400", result.error_description)
    cache.set(cache_key, True, POR_VALID_SECONDS)


def _is_done(change: ChangeRequest, remote: pc.Subscription) -> bool:
    """Partner Center already shows the change: an earlier run's PATCH (answer lost) or a 202."""
    kinds = ChangeRequest.Kind
    if change.kind in renewals.PLAN_KINDS:
        return renewals.plan_is_done(change, remote)
    if change.kind == kinds.CANCEL:
        return remote.status.lower() == "deleted" and change.request_target_id in ("", remote.id)
    if change.kind in STATUS_CHANGES:
        return remote.status.lower() == STATUS_CHANGES[change.kind]
    if change.kind == kinds.AUTO_RENEW:
        return bool(change.accepted_location or change.ms_request_id) and (
            remote.auto_renew_enabled == change.auto_renew_enabled
        )
    return change.target_quantity is not None and remote.quantity == change.target_quantity


def _check_against(change: ChangeRequest, remote: pc.Subscription) -> None:
    """The same rules as at creation, on Partner Center's fresh facts: refused before a call."""
    status = remote.status.lower()
    if status in ("deleted", "expired", "disabled"):
        raise ChangeRefused("2011")
    kinds = ChangeRequest.Kind
    if change.kind in (kinds.ADD_SEATS, kinds.REMOVE_SEATS) and status == "suspended":
        raise ChangeRefused("800091")
    if change.kind == kinds.SUSPEND and status != "active":
        raise ChangeRefused(errors.NOT_ACTIVE, f"status {status}")
    if change.kind == kinds.REACTIVATE and status != "suspended":
        raise ChangeRefused(errors.NOT_SUSPENDED, f"status {status}")
    if (
        change.kind == kinds.REMOVE_SEATS
        and change.target_quantity is None
        and change.seats is not None
        and change.seats > remote.refundable_quantity
    ):
        raise ChangeRefused("800090", "refundableQuantity below the seats to remove")


def _cancel(change, client, subscription: Subscription, remote) -> float | None:
    """Add-ons first, one PATCH at a time, then the base; each step re-read, so a repeat skips
    what is done and waits on a 202 still running (``request_target_id`` names its target)."""
    for addon in subscription.addons.exclude(status__in=["deleted", "expired", "disabled"]):
        addon_remote = client.get_subscription(
            addon.partner_center_customer_id, addon.partner_center_id
        )
        subscription_apply_remote(subscription=addon, remote=addon_remote, record_change=False)
        if addon_remote.status.lower() == "deleted":
            continue
        wait = _patch_unless_accepted(change, client, addon, addon_remote, remote)
        if wait is not None:
            return wait
    return _patch_unless_accepted(change, client, subscription, remote, remote)


def _patch_unless_accepted(change, client, subscription, remote, base_remote) -> float | None:
    if change.accepted_location and change.request_target_id == remote.id:
        return _poll_accepted(change)
    # Checked before each new PATCH only: a cancel Partner Center accepted (202) inside the
    # window is still at it, not refused, when the window closes meanwhile.
    until = base_remote.cancellation_allowed_until
    if until is None or until <= timezone.now():
        raise ChangeRefused("900117", "cancellationAllowedUntilDate passed")
    if change.accepted_location:
        _record(change, accepted_location="")
    return _patch(change, client, subscription, remote, {"status": "deleted"})


def _after_transient_error(change: ChangeRequest, exc: PartnerCenterError) -> float | None:
    failures = change.transient_failures + 1
    if failures >= retry_conf.max_transient_failures():
        _fail(change, errors.PARTNER_CENTER_UNAVAILABLE, f"{failures} tentativi: {exc.message}")
        return None
    if isinstance(exc, PartnerCenterRateLimited):
        wait = float(exc.retry_after)
    else:
        base = retry_conf.retry_base_seconds() * 2 ** (failures - 1)
        # Jitter taken off, never added: the cap is kept below the broker's visibility timeout.
        wait = min(base, retry_conf.retry_max_seconds()) * (1 - random.random() / 10)
    _record(
        change,
        transient_failures=failures,
        attention_due_at=timezone.now() + timedelta(seconds=wait),
    )
    events.event_retry_scheduled(
        change_request=change,
        error=exc,
        retry_in=wait,
        failures=failures,
        max_failures=retry_conf.max_transient_failures(),
    )
    return wait
