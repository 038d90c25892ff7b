"""The sweep a worker makes when it (re)connects to the broker resumes orders whose message was
lost or is only queued; that is not the orders' failure, so it is not counted against their
budget of transient failures (make proof: a burst of 200 orders, two worker kills and a Redis
restart failed orders that had hardly run). An order a dead run still holds is left to the
periodic sweep, which counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Order, OrderStatus
from orders.tasks import orders_sweep_task
from orders.tests.factories import placed_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def queued_order(**fields) -> Order:
    """Provisioning, due a moment ago, its next message still waiting in a busy queue."""
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.PROVISIONING,
        attention_due_at=timezone.now() - timedelta(seconds=5),
        **fields,
    )
    return order


def test_sweeps_at_connection_resume_a_queued_order_without_using_up_its_budget(
    django_capture_on_commit_callbacks,
):
    # Given a queued order with two transient failures behind it (the budget is 5 here)
    order = queued_order(transient_failures=2)

    # When workers connect to the broker more times than its budget allows
    with django_capture_on_commit_callbacks() as enqueued:
        for _ in range(6):
            orders_sweep_task(older_than_seconds=0, after_connection=True)

    # Then each sweep resumed it, none counted, and it is still provisioning
    order.refresh_from_db()
    assert (order.status, order.transient_failures) == (OrderStatus.PROVISIONING, 2)
    assert len(enqueued) == 6
    assert order.events.filter(parameters__operation="resume").count() == 6


def test_an_order_a_killed_run_still_holds_is_left_to_the_periodic_sweep_which_counts(
    django_capture_on_commit_callbacks,
):
    # Given an order whose run died holding it a moment ago (its lease has not expired yet)
    order = queued_order(run_lease_until=timezone.now() + timedelta(seconds=60))

    # When a worker connects, then later the periodic sweep finds the lease expired
    with django_capture_on_commit_callbacks() as at_connection:
        orders_sweep_task(older_than_seconds=0, after_connection=True)
    Order.objects.filter(pk=order.pk).update(
        run_lease_until=timezone.now() - timedelta(seconds=1),
        attention_due_at=timezone.now() - timedelta(minutes=30),
    )
    with django_capture_on_commit_callbacks() as periodic:
        orders_sweep_task()

    # Then only the periodic sweep resumed it, and counted it
    order.refresh_from_db()
    assert (len(at_connection), len(periodic)) == (0, 1)
    assert order.transient_failures == 1
