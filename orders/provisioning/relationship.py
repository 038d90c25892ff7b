"""Orders parked in ``awaiting_relationship``: re-checked on a schedule, resumed automatically
once the customer's administrator accepted the invitation, the reseller reminded at most once a
day, and failed as relationship_missing after settings.RELATIONSHIP_WAIT_DAYS."""

import enum
import logging

from django.db import transaction
from django.utils import timezone

from catalog.selectors import rome_today
from notifications.models import Email
from notifications.services import email_enqueue
from orders import conf
from orders.errors import OrderTransitionError
from orders.models import FailureReason, Order, OrderEvent, OrderStatus
from orders.provisioning.errors import (
    BUSINESS_ERRORS,
    failure_from_partner_center,
    partner_center_cause,
    reseller_inactive_failure,
)
from orders.services.status import Failure, order_enqueue_provisioning, order_set_status
from partnercenter.services import partner_center_call_context
from tenants.errors import PartnerCenterUnavailableError
from tenants.services.partner_center import customer_check_relationship

logger = logging.getLogger(__name__)

AWAITING = frozenset({OrderStatus.AWAITING_RELATIONSHIP})


class RelationshipOutcome(enum.StrEnum):
    RESUMED = "resumed"
    WAITING = "waiting"
    EXPIRED = "expired"
    UNAVAILABLE = "unavailable"  # Partner Center could not answer; the next check tries again
    FAILED = "failed"  # Partner Center refused the check (our credentials): the order failed
    SKIPPED = "skipped"  # not awaiting the relationship (any more)


def orders_awaiting_relationship() -> list[int]:
    return list(
        Order.objects.filter(status=OrderStatus.AWAITING_RELATIONSHIP)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def order_check_relationship(
    *, order_id: int, actor: str = OrderEvent.Actor.WORKER, actor_user=None
) -> RelationshipOutcome:
    """Check one waiting order's relationship now and act on the answer."""
    order = Order.objects.select_related("customer", "reseller", "user").filter(pk=order_id).first()
    if order is None or order.status != OrderStatus.AWAITING_RELATIONSHIP:
        return RelationshipOutcome.SKIPPED
    try:
        if timezone.now() >= order.awaiting_relationship_until:
            _expire(order, actor, actor_user)
            return RelationshipOutcome.EXPIRED
        if not order.reseller.is_active:
            failure = reseller_inactive_failure(order)
            return _fail(order, failure, actor, actor_user, message=failure.detail)
        with partner_center_call_context(order_id=order.pk):
            check = customer_check_relationship(customer=order.customer)
        if check.is_accepted:
            _resume(order, actor, actor_user)
            return RelationshipOutcome.RESUMED
    except PartnerCenterUnavailableError as exc:
        cause = partner_center_cause(exc)
        if not isinstance(cause, BUSINESS_ERRORS):
            return RelationshipOutcome.UNAVAILABLE
        return _fail(order, failure_from_partner_center(cause), actor, actor_user)
    except OrderTransitionError:
        return RelationshipOutcome.SKIPPED  # cancelled or resumed meanwhile
    _remind(order)
    return RelationshipOutcome.WAITING


def _resume(order: Order, actor: str, actor_user) -> None:
    with transaction.atomic():
        order_set_status(
            order_id=order.pk,
            to_status=OrderStatus.PROVISIONING,
            actor=actor,
            actor_user=actor_user,
            expected_from=AWAITING,
            message=f"Relazione di rivenditore accettata dal tenant {order.tenant_domain}: "
            "l'attivazione riprende.",
            # The wait may have lasted days: the MPN ID is checked again before the order.
            changes={
                "attention_due_at": timezone.now(),
                "transient_failures": 0,
                "mpn_validated_at": None,
            },
        )
        order_enqueue_provisioning(order_id=order.pk)


def _fail(
    order: Order, failure: Failure, actor: str, actor_user, message: str = ""
) -> RelationshipOutcome:
    """A definite refusal (a 401, an uncoded 403) does not go away by checking again daily."""
    try:
        order_set_status(
            order_id=order.pk,
            to_status=OrderStatus.FAILED,
            actor=actor,
            actor_user=actor_user,
            expected_from=AWAITING,
            failure=failure,
            message=message
            or f"Verifica della relazione rifiutata da Partner Center: {failure.detail}",
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
        message=f"Attesa della relazione di rivenditore scaduta dopo {days} giorni.",
    )


def _remind(order: Order) -> None:
    """At most one reminder per day, none on the day the order started waiting."""
    if timezone.now() - order.awaiting_relationship_since < conf.relationship_reminder_interval():
        return
    email_enqueue(order=order, kind=Email.Kind.RELATIONSHIP_REMINDER, key=rome_today().isoformat())
