"""One provisioning run of an order: the steps in order, and what to do when one stops.

``order_provision`` is what the Celery task calls. It runs the steps until one must wait (the
order is not active in Partner Center yet, a transient error) and returns the seconds after which
to run again, or None when there is nothing more to do (active, failed, parked, not ours).

Retry policy (docs/architecture.md#retries, and README.md here): transient errors (Partner Center
unreachable or 5xx, 429 with its Retry-After, an unreadable answer, tenants' checks unable to
reach it, SMTP not accepting now) wait with capped exponential backoff; after
``conf.max_transient_failures()`` in a row the order fails as partner_center_unavailable
(email_failed for SMTP), and staff are alerted. Definite refusals (including no Microsoft
Customer Agreement template offered) fail the order at once with their reason. Any other
exception is a bug: it propagates, the task fails loudly, the order stays due and
``sweep_orders`` resumes it.
"""

import logging
import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from orders import conf
from orders.errors import OrderTransitionError
from orders.events import event_retry_scheduled
from orders.models import WORKING_STATUSES, Order, OrderEvent, OrderStatus
from orders.provisioning.emails import step_send_emails
from orders.provisioning.errors import (
    BUSINESS_ERRORS,
    TRANSIENT_ERRORS,
    AwaitingRelationship,
    ProvisioningStopped,
    StepFailed,
    exhausted_reason,
    failure_from_partner_center,
    partner_center_cause,
    reseller_inactive_failure,
)
from orders.provisioning.recording import (
    order_lease_refresh,
    order_lease_release,
    order_update_if_provisioning,
)
from orders.provisioning.steps import (
    step_await_activation,
    step_ensure_agreement,
    step_ensure_cart,
    step_ensure_customer,
    step_submit_cart,
    step_validate_mpn,
)
from orders.services.status import Failure, order_set_status
from partnercenter.errors import PartnerCenterRateLimited
from partnercenter.services import partner_center_call_context, partner_center_client

logger = logging.getLogger(__name__)

STEPS = (
    step_validate_mpn,
    step_ensure_customer,
    step_ensure_agreement,
    step_ensure_cart,
    step_submit_cart,
    step_await_activation,
    step_send_emails,
)
Actor = OrderEvent.Actor


def order_provision(*, order_id: int) -> float | None:
    """Advance the order as far as it can go now; the seconds to wait, or None when done."""
    order = _claim_run_lease(order_id)
    if order is None:
        return None
    try:
        return _run(order)
    finally:
        order_lease_release(order)


def _run(order: Order) -> float | None:
    if not order.reseller.is_active:
        _fail(order, reseller_inactive_failure(order))
        return None
    try:
        with partner_center_call_context(order_id=order.pk), partner_center_client() as client:
            for step in STEPS:
                order_lease_refresh(order)
                wait = step(order, client)
                if wait is not None:
                    return _schedule_next_run(order, wait)
        _finish(order)
    except ProvisioningStopped:
        logger.info("order %s left provisioning, or another run took it, during the run", order.pk)
    except AwaitingRelationship:
        _park(order)
    except StepFailed as exc:
        _fail(order, exc.failure)
    except (*BUSINESS_ERRORS, *TRANSIENT_ERRORS) as exc:
        cause = partner_center_cause(exc)
        if isinstance(cause, BUSINESS_ERRORS):
            _fail(order, failure_from_partner_center(cause))
        else:
            return _after_transient_error(order, cause)
    return None


def _claim_run_lease(order_id: int) -> Order | None:
    """The order, now provisioning and claimed by this run; None when it is not the worker's to
    provision, not due yet (this message is a duplicate of a scheduled one) or another run holds
    it (its lease has not expired)."""
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None or order.status not in WORKING_STATUSES:
            return None
        if order.attention_due_at is not None and order.attention_due_at > now:
            logger.info(
                "order %s: not due before %s, run dropped", order.pk, order.attention_due_at
            )
            return None
        if order.run_lease_until is not None and order.run_lease_until > now:
            logger.info("order %s: another run holds it, run dropped", order.pk)
            return None
        if order.status == OrderStatus.PLACED:
            order_set_status(
                order_id=order.pk,
                to_status=OrderStatus.PROVISIONING,
                actor=Actor.WORKER,
            )
        # Due now: should this run die, the sweeper finds the order after its threshold, by
        # when the lease has expired.
        Order.objects.filter(pk=order.pk).update(
            attention_due_at=now, run_lease_until=now + conf.run_lease(), updated_at=now
        )
    return Order.objects.select_related("customer", "reseller", "user").get(pk=order_id)


def _schedule_next_run(order: Order, seconds: float) -> float:
    order_update_if_provisioning(
        order, attention_due_at=timezone.now() + timedelta(seconds=seconds)
    )
    return seconds


def _finish(order: Order) -> None:
    _set_status_if_still_provisioning(order, OrderStatus.ACTIVE)


def _park(order: Order) -> None:
    now = timezone.now()
    since = order.awaiting_relationship_since or now
    until = order.awaiting_relationship_until or since + conf.relationship_wait()
    _set_status_if_still_provisioning(
        order,
        OrderStatus.AWAITING_RELATIONSHIP,
        waiting_until=until,
        changes={
            "awaiting_relationship_since": since,
            "awaiting_relationship_until": until,
            # The first check (relationship.py): the reseller is forwarding the invitation now.
            "attention_due_at": now + conf.relationship_check_min(),
            "transient_failures": 0,
        },
    )


def _fail(order: Order, failure: Failure) -> None:
    logger.warning(
        "order %s failed: %s %s %s", order.pk, failure.reason, failure.code, failure.detail
    )
    _set_status_if_still_provisioning(
        order,
        OrderStatus.FAILED,
        failure=failure,
    )


def _set_status_if_still_provisioning(order: Order, to_status: str, **kwargs) -> None:
    """A duplicate run (a message delivered twice) may have got there first: that is fine."""
    try:
        order_set_status(
            order_id=order.pk,
            to_status=to_status,
            actor=Actor.WORKER,
            expected_from=frozenset({OrderStatus.PROVISIONING}),
            **kwargs,
        )
    except OrderTransitionError:
        logger.info("order %s: already left provisioning, %s not recorded", order.pk, to_status)


def _after_transient_error(order: Order, exc: Exception) -> float | None:
    failures = order.transient_failures + 1
    detail = f"{type(exc).__name__}: {exc}"
    if failures >= conf.max_transient_failures():
        _fail(
            order,
            Failure(
                reason=exhausted_reason(exc),
                code=getattr(exc, "error_code", "") or "",
                detail=f"{failures} tentativi falliti; ultimo errore: {detail}",
            ),
        )
        return None
    wait = _backoff_seconds(failures, exc)
    try:
        order_update_if_provisioning(order, transient_failures=failures)
        _schedule_next_run(order, wait)
    except ProvisioningStopped:
        return None
    event_retry_scheduled(
        order=order,
        operation=OrderEvent.Operation.PROVISIONING,
        error=exc,
        retry_in=wait,
        failures=failures,
        max_failures=conf.max_transient_failures(),
    )
    logger.warning("order %s: transient error %s, retry in %.1f s", order.pk, detail, wait)
    if wait > conf.retry_max_seconds():
        # A message cannot wait that long in the broker (visibility timeout): the order stays
        # due at the time Partner Center asked for, and the sweeper resumes it then.
        return None
    return wait


def _backoff_seconds(failures: int, exc: Exception) -> float:
    if isinstance(exc, PartnerCenterRateLimited):
        return float(exc.retry_after)  # never earlier than Partner Center asked
    delay = min(conf.retry_base_seconds() * 2 ** (failures - 1), conf.retry_max_seconds())
    # Up to 10 % jitter, so orders failing together do not all come back together. It is taken
    # off the delay, never added: a wait above the cap would not be scheduled as a retry.
    return delay * (1 - random.random() / 10)
