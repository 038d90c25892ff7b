"""The reseller's reminders of a relationship still to accept (at most once a day, none on the
first day), and the order failed with a staff alert after waiting too long."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from notifications.models import Email
from orders.models import FailureReason, Order, OrderStatus
from orders.provisioning.relationship import RelationshipOutcome, order_check_relationship
from orders.tests.factories import fabrikam_customer, order_user, placed_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def awaiting_order(*, since_days: float, until_days: float = 10) -> Order:
    user = order_user()
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))
    now = timezone.now()
    Order.objects.filter(pk=order.pk).update(
        status=OrderStatus.AWAITING_RELATIONSHIP,
        awaiting_relationship_since=now - timedelta(days=since_days),
        awaiting_relationship_until=now + timedelta(days=until_days),
        reseller_tenant_id="3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
    )
    return order


def test_the_reseller_is_reminded_of_a_missing_relationship_at_most_once_a_day(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = awaiting_order(since_days=2)

    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert order_check_relationship(order_id=order.pk) == RelationshipOutcome.WAITING

    [reminder] = mail.outbox
    assert reminder.subject.startswith("Promemoria: fabrikamsrl.onmicrosoft.com")
    assert "/_sandbox/invitation?" in reminder.body
    assert Email.objects.get(order=order).key == timezone.localdate().isoformat()


def test_no_reminder_on_the_first_day_of_waiting(pc_sandbox, django_capture_on_commit_callbacks):
    order = awaiting_order(since_days=0.1)

    with django_capture_on_commit_callbacks(execute=True):
        order_check_relationship(order_id=order.pk)

    assert mail.outbox == []


def test_waiting_too_long_for_the_relationship_fails_the_order_and_alerts_staff(
    django_capture_on_commit_callbacks,
):
    order = awaiting_order(since_days=14, until_days=-0.01)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = order_check_relationship(order_id=order.pk)

    order.refresh_from_db()
    assert outcome == RelationshipOutcome.EXPIRED
    assert (order.status, order.failure_reason, order.failure_code) == (
        OrderStatus.FAILED,
        FailureReason.RELATIONSHIP_MISSING,
        "relationship_wait_expired",
    )
    [alert] = mail.outbox
    assert alert.to == ["staff@storefront.local"]
    assert "relationship_missing" in alert.body


def test_a_check_while_partner_center_is_down_keeps_the_order_waiting(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = awaiting_order(since_days=2)
    pc_sandbox.control.inject_fault("status", status=503, method="GET", path_prefix="/v1/customers")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = order_check_relationship(order_id=order.pk)

    assert outcome == RelationshipOutcome.UNAVAILABLE
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_RELATIONSHIP
    assert mail.outbox == []
