"""The order's state machine and its event rows: the one place where ``Order.status`` changes."""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Email
from notifications.services import email_enqueue
from orders.errors import OrderTransitionError
from orders.events import event_status_changed
from orders.models import FINAL_STATUSES, ORDER_TRANSITIONS, Order, OrderEvent, OrderStatus
from orders.signals import order_activated

logger = logging.getLogger(__name__)

Actor = OrderEvent.Actor
_FAILURE_FIELDS = ("failure_reason", "failure_code", "failure_detail")


@dataclass(frozen=True)
class Failure:
    """Why an order failed: a FailureReason, Partner Center's code if any, a detail for staff."""

    reason: str
    code: str = ""
    detail: str = ""


def order_set_status(
    *,
    order_id: int,
    to_status: str,
    actor: str,
    actor_user=None,
    failure: Failure | None = None,
    changes: dict | None = None,
    expected_from: frozenset[str] | None = None,
    note: str = "",
    waiting_until=None,
) -> Order:
    """Move the order to ``to_status`` if the transition table allows it, with its event row
    (``note`` and ``waiting_until`` are facts of that event: orders.events.event_status_changed).

    Locks the order, checks the table (and ``expected_from`` when the caller needs a narrower
    start), saves only the fields it changes (plus ``changes``, applied in the same transaction)
    and writes the event. A failure queues the staff alert in the same transaction. Raises
    OrderTransitionError, having changed nothing, when the move is not allowed.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        from_status = order.status
        allowed = ORDER_TRANSITIONS[from_status]
        if to_status not in allowed or (
            expected_from is not None and from_status not in expected_from
        ):
            raise OrderTransitionError(
                "transition_not_allowed",
                _("%(number)s: un ordine «%(current)s» non può passare a «%(target)s».")
                % {
                    "number": order.number,
                    "current": OrderStatus(from_status).label,
                    "target": OrderStatus(to_status).label,
                },
                from_status=from_status,
                to_status=to_status,
            )
        fields = _apply_status(order, to_status, failure, changes or {})
        order.save(update_fields=fields)
        event = event_status_changed(
            order=order,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            user=actor_user,
            failure=failure if to_status == OrderStatus.FAILED else None,
            note=note,
            waiting_until=waiting_until,
        )
        if to_status == OrderStatus.FAILED:
            _queue_staff_alert(order, event)
        if to_status == OrderStatus.ACTIVE:
            transaction.on_commit(
                lambda: order_activated.send(sender=Order, order_id=order_id), robust=True
            )
    logger.info(
        "order %s: %s -> %s (%s)", order.number, from_status, to_status, order.failure_reason
    )
    return order


def _apply_status(order: Order, to_status: str, failure: Failure | None, changes: dict) -> list:
    now = timezone.now()
    order.status = to_status
    fields = {"status", "updated_at"}
    if to_status == OrderStatus.FAILED:
        if failure is None:
            raise ValueError("a failed order needs its Failure (reason)")
        order.failure_reason = failure.reason
        order.failure_code = failure.code[:32]
        order.failure_detail = failure.detail
        order.attention_due_at = None
        fields.update(_FAILURE_FIELDS, {"attention_due_at"})
    elif to_status == OrderStatus.PROVISIONING and order.failure_reason:
        # Back to work after a failure: the reason stays in the events, not on a live order. A
        # failed order closed by staff (cancelled, resolved) keeps it: it says why it was closed.
        order.failure_reason = order.failure_code = order.failure_detail = ""
        fields.update(_FAILURE_FIELDS)
    if to_status in FINAL_STATUSES:
        # The new tenant's password is kept only until e-mail 1 went out; a closed order that
        # never sent it (cancelled, resolved by staff) must not keep it either.
        order.completed_at = now
        order.admin_password_encrypted = ""
        order.attention_due_at = None
        fields.update({"completed_at", "admin_password_encrypted", "attention_due_at"})
    for field, value in changes.items():
        setattr(order, field, value)
        fields.add(field)
    return sorted(fields)


def order_enqueue_provisioning(*, order_id: int) -> None:
    """Have a worker provision the order once the current transaction commits.

    ``robust``: a broker that is down must not turn a committed change into an error; the order
    is left due (attention_due_at) and the sweeper enqueues it again.
    """
    from orders.tasks import order_provision_task  # tasks import the services: import late

    transaction.on_commit(lambda: order_provision_task.delay(order_id), robust=True)


def order_enqueue_relationship_check(*, order_id: int, actor: str = Actor.WORKER) -> None:
    """Have a worker check a waiting order's relationship once the transaction commits."""
    from orders.tasks import order_check_relationship_task  # tasks import the services

    transaction.on_commit(
        lambda: order_check_relationship_task.delay(order_id, actor=actor), robust=True
    )


def _queue_staff_alert(order: Order, event: OrderEvent) -> None:
    # One alert per failure (keyed by its event): a retried order that fails again alerts again.
    email_enqueue(order=order, kind=Email.Kind.STAFF_FAILURE_ALERT, key=f"event-{event.pk}")
