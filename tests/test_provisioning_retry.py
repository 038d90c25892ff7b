"""Waits that start anew when staff retry an order, and what a retry keeps: the activation
timeout, the relationship deadline, the MPN ID validation, the count of transient failures."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import FailureReason, Order, OrderStatus
from orders.provisioning import order_provision
from orders.provisioning.relationship import RelationshipOutcome, order_check_relationship
from orders.services.staff import order_retry
from orders.tests.factories import fabrikam_customer, order_user, placed_order
from storefront.tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

LONG_AGO = timedelta(hours=3)


def checked_out_pending_order(pc_sandbox) -> Order:
    """An order checked out in Partner Center whose subscriptions are still pending."""
    pc_sandbox.control.set_delays(subscription_activation_seconds=3600)
    order = placed_order()
    assert order_provision(order_id=order.pk) == 0
    order.refresh_from_db()
    assert order.cart_submitted_at is not None
    assert order.activated_at is None
    return order


def test_activation_timeout_looks_at_partner_center_before_failing(pc_sandbox, settings):
    # Given an order waiting for activation longer than the timeout, active in Partner Center now
    settings.ORDER_ACTIVATION_TIMEOUT_MINUTES = 60
    order = checked_out_pending_order(pc_sandbox)
    Order.objects.filter(pk=order.pk).update(
        cart_submitted_at=timezone.now() - LONG_AGO,
        activation_wait_started_at=timezone.now() - LONG_AGO,
    )
    pc_sandbox.control.set_delays(subscription_activation_seconds=0)

    # When the worker looks again
    order_provision(order_id=order.pk)

    # Then it is active, not failed as activation_timeout
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert order.failure_code == ""


def test_retry_after_activation_timeout_waits_anew(pc_sandbox, settings):
    # Given an order failed as activation_timeout, still pending in Partner Center
    settings.ORDER_ACTIVATION_TIMEOUT_MINUTES = 60
    order = checked_out_pending_order(pc_sandbox)
    Order.objects.filter(pk=order.pk).update(
        cart_submitted_at=timezone.now() - LONG_AGO,
        activation_wait_started_at=timezone.now() - LONG_AGO,
    )
    assert order_provision(order_id=order.pk) is None
    order.refresh_from_db()
    assert (order.status, order.failure_code) == (OrderStatus.FAILED, "activation_timeout")

    # When staff retry it
    order_retry(order_id=order.pk, user=StaffUserFactory())
    wait = order_provision(order_id=order.pk)

    # Then it waits again for activation instead of failing at once
    order.refresh_from_db()
    assert wait == 0
    assert order.status == OrderStatus.PROVISIONING
    assert order.activation_wait_started_at > timezone.now() - timedelta(minutes=1)


def test_successful_poll_ends_the_run_of_transient_failures(pc_sandbox):
    # Given a pending order after a few transient errors
    order = checked_out_pending_order(pc_sandbox)
    Order.objects.filter(pk=order.pk).update(transient_failures=3)

    # When Partner Center answers the poll
    wait = order_provision(order_id=order.pk)

    # Then the count starts again from zero
    assert wait == 0
    assert Order.objects.get(pk=order.pk).transient_failures == 0


def test_retry_after_the_relationship_wait_expired_waits_with_a_new_deadline(pc_sandbox):
    # Given an order whose relationship wait expired
    user = order_user()
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))
    order_provision(order_id=order.pk)
    Order.objects.filter(pk=order.pk).update(
        awaiting_relationship_until=timezone.now() - timedelta(minutes=1)
    )
    assert order_check_relationship(order_id=order.pk) == RelationshipOutcome.EXPIRED

    # When staff retry it and the relationship is still missing
    order_retry(order_id=order.pk, user=StaffUserFactory())
    order_provision(order_id=order.pk)

    # Then it waits again, with a deadline in the future
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_RELATIONSHIP
    assert order.awaiting_relationship_until > timezone.now() + timedelta(days=1)
    assert order.awaiting_relationship_since > timezone.now() - timedelta(minutes=1)


def test_retry_of_an_order_microsoft_already_has_keeps_the_mpn_validation(pc_sandbox):
    # Given an order failed after its checkout
    order = checked_out_pending_order(pc_sandbox)
    validated_at = order.mpn_validated_at
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.FAILED, failure_reason=FailureReason.EMAIL_FAILED
    )

    # When staff retry it
    order_retry(order_id=order.pk, user=StaffUserFactory())

    # Then the MPN ID is not validated again
    order.refresh_from_db()
    assert order.status == OrderStatus.PROVISIONING
    assert order.mpn_validated_at == validated_at
