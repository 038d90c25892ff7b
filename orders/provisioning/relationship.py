"""Orders parked in ``awaiting_relationship``: re-checked on a schedule, resumed automatically
once the customer's administrator accepted the invitation, the reseller reminded at most once
per ORDER_RELATIONSHIP_REMINDER_HOURS, and failed as relationship_missing after
settings.RELATIONSHIP_WAIT_DAYS.

The schedule lives on the order: ``attention_due_at`` of a waiting order is the time of its next
check. Checks are frequent while an invitation is fresh (the reseller has just forwarded it, and
the customer accepts within minutes or not for days) and back off as the wait grows
(``next_check_delay``). ``orders_claim_relationship_checks_due`` runs every few seconds under beat
(and at every worker start): it claims the orders due and fans out one check each; a check lost
with its message is due again when its claim runs out. A check Partner Center could not answer
is retried with capped backoff, with an event, instead of waiting for the next interval.
"""

import enum
import logging
import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Email
from notifications.services import email_enqueue
from orders import conf
from orders.errors import OrderTransitionError
from orders.events import event_retry_scheduled
from orders.models import FailureReason, Order, OrderEvent, OrderStatus
from orders.provisioning.errors import (
    BUSINESS_ERRORS,
    failure_from_partner_center,
    partner_center_cause,
    reseller_inactive_failure,
)
from orders.services.status import (
    Failure,
    order_enqueue_provisioning,
    order_set_status,
)
from partnercenter.lookups import PartnerCenterUnavailableError
from partnercenter.services import partner_center_call_context
from storefront.dates import rome_today
from tenants.services.partner_center import customer_check_relationship

logger = logging.getLogger(__name__)

AWAITING = frozenset({OrderStatus.AWAITING_RELATIONSHIP})
# The check interval is this fraction of the time already waited (within the min and max):
# with the defaults, every minute for the first 20 minutes, every 3 at 1 hour, hourly after a day.
CHECK_BACKOFF_FRACTION = 0.05


class RelationshipOutcome(enum.StrEnum):
    RESUMED = "resumed"
    WAITING = "waiting"
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"  # Partner Center could not answer; retried with backoff
    FAILED = "failed"  # Partner Center refused the check (our credentials): the order failed
    SKIPPED = "skipped"  # not awaiting the relationship (any more)
    ENQUEUED = "enqueued"  # a worker will check it in a moment


def next_check_delay(*, waited: timedelta) -> timedelta:
    """The wait before the next check of an order that has been waiting ``waited``: the minimum
    for the first minutes, then a fraction of the time waited, never more than the maximum."""
    shortest, longest = conf.relationship_check_min(), conf.relationship_check_max()
    return min(max(waited * CHECK_BACKOFF_FRACTION, shortest), longest)


def retry_delay(*, failures: int) -> timedelta:
    """After ``failures`` checks in a row Partner Center could not answer: doubling from the
    retry base, capped at the longest check interval, jitter taken off (never above the cap)."""
    seconds = min(
        conf.retry_base_seconds() * 2 ** (failures - 1),
        conf.relationship_check_max().total_seconds(),
    )
    return timedelta(seconds=seconds * (1 - random.random() / 10))


def orders_claim_relationship_checks_due() -> list[int]:
    """The waiting orders whose check is due, each claimed for conf.relationship_check_claim():
    a second scan meanwhile does not check them twice, and a check whose message was lost is due
    again when the claim runs out."""
    now = timezone.now()
    due = Q(status=OrderStatus.AWAITING_RELATIONSHIP) & (
        Q(attention_due_at__lte=now) | Q(attention_due_at__isnull=True)
    )
    claimed = []
    for order_id in Order.objects.filter(due).order_by("pk").values_list("pk", flat=True):
        if (
            Order.objects.filter(due, pk=order_id).update(
                attention_due_at=now + conf.relationship_check_claim()
            )
            == 1
        ):
            claimed.append(order_id)
    return claimed


def order_check_relationship(
    *,
    order_id: int,
    actor: str = OrderEvent.Actor.WORKER,
    actor_user=None,
    interactive: bool = False,
) -> RelationshipOutcome:
    """Check one waiting order's relationship now and act on the answer.

    ``interactive``: someone is waiting for the answer (the reseller's «Verifica relazione»),
    so Partner Center gets the short timeouts of the pages.
    """
    order = Order.objects.select_related("customer", "reseller", "user").filter(pk=order_id).first()
    if order is None or order.status != OrderStatus.AWAITING_RELATIONSHIP:
        return RelationshipOutcome.SKIPPED
    try:
        if timezone.now() >= order.awaiting_relationship_until:
            _expire(order, actor, actor_user)
            return RelationshipOutcome.EXPIRED
        if not order.reseller.is_active:
            failure = reseller_inactive_failure(order)
            return _fail(order, failure, actor, actor_user)
        with partner_center_call_context(order_id=order.pk):
            check = customer_check_relationship(customer=order.customer, interactive=interactive)
        if check.is_accepted:
            _resume(order, actor, actor_user)
            return RelationshipOutcome.RESUMED
    except PartnerCenterUnavailableError as exc:
        cause = partner_center_cause(exc)
        if not isinstance(cause, BUSINESS_ERRORS):
            _retry_later(order, cause)
            return RelationshipOutcome.UNAVAILABLE
        return _fail(order, failure_from_partner_center(cause), actor, actor_user)
    except OrderTransitionError:
        return RelationshipOutcome.SKIPPED  # cancelled or resumed meanwhile
    _schedule_next_check(order)
    if actor == OrderEvent.Actor.WORKER:  # the reseller who just checked needs no reminder
        _remind(order)
    return RelationshipOutcome.WAITING


def _schedule_next_check(order: Order) -> None:
    now = timezone.now()
    delay = next_check_delay(waited=now - (order.awaiting_relationship_since or now))
    Order.objects.filter(pk=order.pk, status=OrderStatus.AWAITING_RELATIONSHIP).update(
        attention_due_at=now + delay, transient_failures=0, updated_at=now
    )


def _retry_later(order: Order, exc: Exception) -> None:
    """Partner Center could not answer: look again soon rather than a whole interval later."""
    failures = order.transient_failures + 1
    delay = retry_delay(failures=failures)
    now = timezone.now()
    updated = Order.objects.filter(pk=order.pk, status=OrderStatus.AWAITING_RELATIONSHIP).update(
        attention_due_at=now + delay, transient_failures=failures, updated_at=now
    )
    if not updated:
        return
    detail = f"{type(exc).__name__}: {exc}"
    event_retry_scheduled(
        order=order,
        operation=OrderEvent.Operation.RELATIONSHIP_CHECK,
        error=exc,
        retry_in=delay.total_seconds(),
    )
    logger.warning(
        "order %s: relationship check failed (%s), again in %.0f s",
        order.pk,
        detail,
        delay.total_seconds(),
    )


def _resume(order: Order, actor: str, actor_user) -> None:
    with transaction.atomic():
        order_set_status(
            order_id=order.pk,
            to_status=OrderStatus.PROVISIONING,
            actor=actor,
            actor_user=actor_user,
            expected_from=AWAITING,
            # The wait may have lasted days: the MPN ID is checked again before the order.
            changes={
                "attention_due_at": timezone.now(),
                "transient_failures": 0,
                "mpn_validated_at": None,
            },
        )
        order_enqueue_provisioning(order_id=order.pk)


def _fail(order: Order, failure: Failure, actor: str, actor_user) -> RelationshipOutcome:
    """A definite refusal (a 401, an uncoded 403) does not go away by checking again daily."""
    try:
        order_set_status(
            order_id=order.pk,
            to_status=OrderStatus.FAILED,
            actor=actor,
            actor_user=actor_user,
            expected_from=AWAITING,
            failure=failure,
        )
    except OrderTransitionError:
        return RelationshipOutcome.SKIPPED
    return RelationshipOutcome.FAILED


def _expire(order: Order, actor: str, actor_user) -> None:
    days = conf.relationship_wait().days
    order_set_status(
        order_id=order.pk,
        to_status=OrderStatus.FAILED,
        actor=actor,
        actor_user=actor_user,
        expected_from=AWAITING,
        failure=Failure(
            reason=FailureReason.RELATIONSHIP_MISSING,
            code="relationship_wait_expired",
            detail=f"Il tenant {order.tenant_domain} non ha accettato la relazione di "
            f"rivenditore entro {days} giorni.",
        ),
    )


def _remind(order: Order) -> None:
    """At most one reminder per day, none on the day the order started waiting."""
    if timezone.now() - order.awaiting_relationship_since < conf.relationship_reminder_interval():
        return
    email_enqueue(order=order, kind=Email.Kind.RELATIONSHIP_REMINDER, key=rome_today().isoformat())
