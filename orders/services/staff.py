"""What staff do to an order from the admin: retry, resume, cancel, mark resolved.

Each goes through the same state machine and provisioning services the worker uses, and its event
row names the staff member who did it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import email_reset_failed
from orders.errors import OrderTransitionError
from orders.events import event_staff_action
from orders.models import Order, OrderEvent, OrderStatus
from orders.provisioning.relationship import RelationshipOutcome, order_check_relationship
from orders.services.status import (
    order_enqueue_provisioning,
    order_enqueue_relationship_check,
    order_set_status,
)
from orders.services.sweeping import order_resume_overdue

STAFF = OrderEvent.Actor.STAFF


@contextmanager
def _refused_as(message: str) -> Iterator[None]:
    """The state machine's refusal, told as what staff can do: ``message`` names the order's
    current state (its label, in the user's language) as ``%(status)s``."""
    try:
        yield
    except OrderTransitionError as exc:
        status = OrderStatus(exc.from_status).label if exc.from_status else "?"
        raise OrderTransitionError(
            exc.code,
            message % {"status": status},
            from_status=exc.from_status,
            to_status=exc.to_status,
        ) from exc


def order_retry(*, order_id: int, user) -> Order:
    """A failed order goes back to provisioning from where it stopped.

    The MPN ID is validated again (it may be what staff fixed) unless Microsoft already has, or
    may have, the order (a cart submission whose answer never came); failed e-mails may be sent
    again. Partner Center ids already obtained are kept, so nothing is created twice. Waits
    start anew: the relationship wait gets a new deadline, the activation wait a new timeout.
    """
    with (
        _refused_as(_("l'ordine è «%(status)s»: si riprovano solo gli ordini non riusciti.")),
        transaction.atomic(),
    ):
        cart_submitted_at, cart_submit_request_id = (
            Order.objects.select_for_update()
            .values_list("cart_submitted_at", "cart_submit_request_id")
            .get(pk=order_id)
        )
        changes = {
            "attention_due_at": timezone.now(),
            "transient_failures": 0,
            "awaiting_relationship_since": None,
            "awaiting_relationship_until": None,
            "activation_wait_started_at": None,
            "run_lease_until": None,
        }
        # A submission id still stored never had a definite answer: Microsoft may have the order.
        if cart_submitted_at is None and not cart_submit_request_id:
            changes["mpn_validated_at"] = None
        order = order_set_status(
            order_id=order_id,
            to_status=OrderStatus.PROVISIONING,
            actor=STAFF,
            actor_user=user,
            expected_from=frozenset({OrderStatus.FAILED}),
            changes=changes,
        )
        email_reset_failed(order_id=order_id)
        order_enqueue_provisioning(order_id=order_id)
    return order


def order_resume(*, order_id: int, user) -> RelationshipOutcome:
    """Waiting for the relationship: have a worker check it now. Placed or provisioning and
    overdue: enqueue it again (SKIPPED when a run is already scheduled for later). Never calls
    Partner Center itself: the admin page answers at once, the worker does the work."""
    status, wait_until = Order.objects.values_list("status", "awaiting_relationship_until").get(
        pk=order_id
    )
    if status == OrderStatus.AWAITING_RELATIONSHIP and wait_until and wait_until <= timezone.now():
        # An expired wait needs no Partner Center answer: staff learn at once that it failed.
        return order_check_relationship(order_id=order_id, actor=STAFF, actor_user=user)
    if status == OrderStatus.AWAITING_RELATIONSHIP:
        event_staff_action(
            order=Order.objects.get(pk=order_id),
            user=user,
            action=OrderEvent.StaffAction.RELATIONSHIP_CHECK,
        )
        order_enqueue_relationship_check(order_id=order_id, actor=STAFF)
        return RelationshipOutcome.ENQUEUED
    if status not in (OrderStatus.PLACED, OrderStatus.PROVISIONING):
        raise OrderTransitionError(
            "not_resumable",
            _(
                "l'ordine è «%(status)s»: si riprendono solo gli ordini ricevuti, in attivazione "
                "o in attesa della relazione."
            )
            % {"status": OrderStatus(status).label},
            from_status=status,
        )
    resumed = order_resume_overdue(
        order_id=order_id, older_than=timedelta(0), actor=STAFF, actor_user=user
    )
    return RelationshipOutcome.RESUMED if resumed else RelationshipOutcome.SKIPPED


def order_cancel(*, order_id: int, user, note: str = "") -> Order:
    with _refused_as(
        _(
            "l'ordine è «%(status)s»: si annullano solo gli ordini ricevuti, in attesa della "
            "relazione o non riusciti."
        )
    ):
        return order_set_status(
            order_id=order_id,
            to_status=OrderStatus.CANCELLED,
            actor=STAFF,
            actor_user=user,
            note=note.strip(),
        )


def order_mark_resolved(*, order_id: int, user, note: str = "") -> Order:
    with _refused_as(
        _("l'ordine è «%(status)s»: si segnano come risolti solo gli ordini non riusciti.")
    ):
        return order_set_status(
            order_id=order_id,
            to_status=OrderStatus.RESOLVED,
            actor=STAFF,
            actor_user=user,
            expected_from=frozenset({OrderStatus.FAILED}),
            note=note.strip(),
        )
