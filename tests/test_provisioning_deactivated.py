"""Orders of a reseller that staff deactivated stop before the next Partner Center call, with a
reason staff see (the order's failure, its event, the staff alert)."""

import pytest

from notifications.models import Email
from orders.models import FailureReason, Order, OrderEvent, OrderStatus
from orders.provisioning import order_provision
from orders.provisioning.relationship import RelationshipOutcome, order_check_relationship
from orders.tests.factories import fabrikam_customer, order_user, placed_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def deactivate(order) -> None:
    order.reseller.is_active = False
    order.reseller.save(update_fields=["is_active"])


@pytest.mark.parametrize("status", [OrderStatus.PLACED, OrderStatus.PROVISIONING])
def test_a_deactivated_resellers_order_stops_before_partner_center(pc_sandbox, status):
    # Given an order due for provisioning, and its reseller deactivated by staff
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(status=status)
    deactivate(order)
    pc_sandbox.control.clear_calls()

    # When a provisioning run starts
    wait = order_provision(order_id=order.pk)

    # Then the order failed as reseller_inactive with nothing asked of Partner Center
    order.refresh_from_db()
    assert wait is None
    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.RESELLER_INACTIVE
    assert "è disattivato" in order.failure_detail
    assert pc_sandbox.control.calls(path_prefix="/v1/") == []

    # And staff see why: the event and the alert
    event = order.events.filter(type=OrderEvent.Type.STATUS_CHANGED).latest("pk")
    assert (event.to_status, event.parameters["reason"]) == (
        OrderStatus.FAILED,
        FailureReason.RESELLER_INACTIVE,
    )
    assert Email.objects.filter(order=order, kind=Email.Kind.STAFF_FAILURE_ALERT).count() == 1


def test_an_active_resellers_order_is_provisioned_as_before(pc_sandbox):
    order = placed_order()

    order_provision(order_id=order.pk)

    order.refresh_from_db()
    assert order.failure_reason == ""
    assert order.status == OrderStatus.ACTIVE


def test_a_deactivated_resellers_order_awaiting_the_relationship_stops_too(pc_sandbox):
    # Given an order waiting for an existing tenant's relationship, then its reseller deactivated
    user = order_user()
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))
    order_provision(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_RELATIONSHIP
    deactivate(order)
    pc_sandbox.control.clear_calls()

    # When the scheduled relationship check comes
    outcome = order_check_relationship(order_id=order.pk)

    # Then the order failed as reseller_inactive, Partner Center not asked
    order.refresh_from_db()
    assert outcome == RelationshipOutcome.FAILED
    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.RESELLER_INACTIVE
    assert pc_sandbox.control.calls(path_prefix="/v1/") == []
