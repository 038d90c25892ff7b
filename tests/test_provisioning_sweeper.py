"""The sweeper counts the times it resumes an order without progress, and fails it (alerting
staff) once the maximum is reached, instead of resuming it every few minutes for ever."""

from datetime import timedelta

import pytest
from django.utils import timezone

from notifications.models import Email
from orders.models import FailureReason, Order, OrderStatus
from orders.services import sweeping
from orders.services.sweeping import orders_sweep
from orders.tests.factories import placed_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def stuck_order(*, transient_failures: int) -> Order:
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.PROVISIONING,
        attention_due_at=timezone.now() - timedelta(minutes=30),
        transient_failures=transient_failures,
    )
    return order


def test_sweeper_counts_each_resumption(django_capture_on_commit_callbacks):
    # Given an overdue order
    order = stuck_order(transient_failures=0)

    # When the sweeper runs
    with django_capture_on_commit_callbacks() as callbacks:
        result = orders_sweep(older_than=timedelta(minutes=10))

    # Then it is resumed, and the resumption counted
    assert result.resumed == [order.pk]
    assert len(callbacks) == 1
    assert Order.objects.get(pk=order.pk).transient_failures == 1


def test_sweeper_fails_an_order_resumed_too_often_and_alerts_staff(monkeypatch, settings):
    # Given an overdue order already resumed up to one less than the maximum (5)
    settings.STAFF_ALERT_EMAILS = ["staff@distributore.example"]
    order = stuck_order(transient_failures=4)

    enqueued = []
    monkeypatch.setattr(
        sweeping, "order_enqueue_provisioning", lambda *, order_id: enqueued.append(order_id)
    )

    # When the sweeper finds it again
    result = orders_sweep(older_than=timedelta(minutes=10))

    # Then it failed, staff are alerted, and it is not enqueued again
    order.refresh_from_db()
    assert result.resumed == []
    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.PARTNER_CENTER_UNAVAILABLE
    assert order.failure_code == "provisioning_stuck"
    assert order.attention_due_at is None
    assert Email.objects.filter(order=order, kind=Email.Kind.STAFF_FAILURE_ALERT).count() == 1
    assert enqueued == []
