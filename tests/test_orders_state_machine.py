"""The order's state machine: one table of transitions, an event for each change, staff actions
through the same services, refusals that change nothing."""

import itertools

import pytest
from django.utils import translation

from notifications.models import Email
from orders.errors import OrderTransitionError
from orders.event_messages import event_staff_text
from orders.models import FailureReason, Order, OrderEvent, OrderStatus
from orders.provisioning.relationship import RelationshipOutcome
from orders.services import Failure, order_set_status
from orders.services.staff import order_cancel, order_mark_resolved, order_resume, order_retry
from orders.tests.factories import placed_order
from storefront.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

FAILURE = Failure(reason=FailureReason.PARTNER_CENTER_REJECTED, code="800088", detail="seats")
# Written out, not read from ORDER_TRANSITIONS: a change to the table must change this too.
ALLOWED_TRANSITIONS = {
    ("placed", "provisioning"),
    ("placed", "awaiting_relationship"),
    ("placed", "failed"),
    ("placed", "cancelled"),
    ("provisioning", "active"),
    ("provisioning", "awaiting_relationship"),
    ("provisioning", "failed"),
    ("awaiting_relationship", "provisioning"),
    ("awaiting_relationship", "failed"),
    ("awaiting_relationship", "cancelled"),
    ("failed", "provisioning"),  # staff «Riprova»
    ("failed", "resolved"),  # staff «Segna come risolto»
    ("failed", "cancelled"),  # staff «Annulla»
}


def order_in(status: str, **fields) -> Order:
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(status=status, **fields)
    order.refresh_from_db()
    return order


@pytest.mark.parametrize(
    ("from_status", "to_status"), list(itertools.product(OrderStatus.values, repeat=2))
)
def test_only_the_transitions_of_the_table_are_allowed(from_status, to_status):
    order = order_in(from_status)
    events_before = order.events.count()
    is_allowed = (from_status, to_status) in ALLOWED_TRANSITIONS

    if not is_allowed:
        with pytest.raises(OrderTransitionError):
            order_set_status(
                order_id=order.pk, to_status=to_status, actor="system", failure=FAILURE
            )
        order.refresh_from_db()
        assert order.status == from_status
        assert order.events.count() == events_before
        return

    order_set_status(order_id=order.pk, to_status=to_status, actor="system", failure=FAILURE)
    order.refresh_from_db()
    assert order.status == to_status
    event = order.events.latest("pk")
    assert (event.type, event.from_status, event.to_status, event.actor) == (
        OrderEvent.Type.STATUS_CHANGED,
        from_status,
        to_status,
        "system",
    )
    failure_facts = {"reason": "partner_center_rejected", "code": "800088", "detail": "seats"}
    assert event.parameters == (failure_facts if to_status == OrderStatus.FAILED else {})


def test_a_failure_records_its_reason_and_queues_one_staff_alert(
    django_capture_on_commit_callbacks,
):
    order = order_in(OrderStatus.PROVISIONING)

    with django_capture_on_commit_callbacks() as callbacks:
        order_set_status(
            order_id=order.pk,
            to_status=OrderStatus.FAILED,
            actor="worker",
            failure=FAILURE,
        )

    order.refresh_from_db()
    assert (order.failure_reason, order.failure_code, order.failure_detail) == (
        "partner_center_rejected",
        "800088",
        "seats",
    )
    [alert] = Email.objects.filter(order=order)
    assert (alert.kind, alert.status) == (Email.Kind.STAFF_FAILURE_ALERT, Email.Status.PENDING)
    assert len(callbacks) == 1


def test_a_failure_without_a_reason_is_a_programming_error():
    order = order_in(OrderStatus.PROVISIONING)

    with pytest.raises(ValueError, match="Failure"):
        order_set_status(order_id=order.pk, to_status=OrderStatus.FAILED, actor="x")

    assert Order.objects.get(pk=order.pk).status == OrderStatus.PROVISIONING


def test_closing_an_order_erases_a_password_still_waiting_for_email_1():
    order = order_in(OrderStatus.FAILED, admin_password_encrypted="gAAAA-token")

    order_cancel(order_id=order.pk, user=StaffUserFactory())

    order.refresh_from_db()
    assert (order.status, order.admin_password_encrypted) == (OrderStatus.CANCELLED, "")
    assert order.completed_at is not None


def test_staff_retry_puts_a_failed_order_back_to_work_and_names_who_did_it(
    django_capture_on_commit_callbacks,
):
    staff = StaffUserFactory(email="luca@distributore.example")
    order = order_in(
        OrderStatus.FAILED,
        failure_reason="mpn_invalid",
        transient_failures=3,
        attention_due_at=None,
    )

    with django_capture_on_commit_callbacks() as callbacks:
        order_retry(order_id=order.pk, user=staff)

    order.refresh_from_db()
    assert order.status == OrderStatus.PROVISIONING
    assert (order.transient_failures, order.mpn_validated_at) == (0, None)
    assert order.attention_due_at is not None
    event = order.events.latest("pk")
    assert (event.actor, event.actor_user, event.parameters) == (
        "staff",
        staff,
        {"user_email": "luca@distributore.example"},
    )
    with translation.override("it"):
        assert event_staff_text(event) == "Nuovo tentativo richiesto da luca@distributore.example."
    assert len(callbacks) == 1  # the provisioning task


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (order_retry, OrderStatus.ACTIVE),
        (order_retry, OrderStatus.PROVISIONING),
        (order_mark_resolved, OrderStatus.PLACED),
        (order_cancel, OrderStatus.PROVISIONING),
        (order_cancel, OrderStatus.ACTIVE),
        (order_resume, OrderStatus.FAILED),
    ],
)
def test_staff_actions_refuse_orders_in_the_wrong_state(action, status):
    order = order_in(status)

    with pytest.raises(OrderTransitionError):
        action(order_id=order.pk, user=StaffUserFactory())

    assert Order.objects.get(pk=order.pk).status == status
    assert not OrderEvent.objects.filter(order=order, actor="staff").exists()


def test_resume_of_an_order_already_scheduled_changes_nothing(django_capture_on_commit_callbacks):
    order = order_in(OrderStatus.PROVISIONING)
    Order.objects.filter(pk=order.pk).update(attention_due_at="2999-01-01T00:00:00Z")

    with django_capture_on_commit_callbacks() as callbacks:
        outcome = order_resume(order_id=order.pk, user=StaffUserFactory())

    assert outcome == RelationshipOutcome.SKIPPED
    assert callbacks == []


def test_mark_resolved_closes_a_failed_order_with_the_staff_note():
    order = order_in(OrderStatus.FAILED, failure_reason="email_failed")

    order_mark_resolved(order_id=order.pk, user=StaffUserFactory(), note="Inviate a mano.")

    order.refresh_from_db()
    assert order.status == OrderStatus.RESOLVED
    event = order.events.latest("pk")
    assert event.parameters["note"] == "Inviate a mano."
    with translation.override("it"):
        assert event_staff_text(event).endswith("Nota: Inviate a mano.")
