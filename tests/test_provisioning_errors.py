"""How provisioning reads Partner Center errors that reach it through tenants' services (MPN ID
and relationship checks): our credentials refused fail the order at once, a 429 keeps its
Retry-After, and a Retry-After longer than a message may wait leaves the order due then."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from orders.models import FailureReason, Order, OrderEvent, OrderStatus
from orders.provisioning import order_provision
from orders.provisioning.relationship import RelationshipOutcome, order_check_relationship
from orders.selectors import order_progress, order_timeline, order_with_history
from orders.tasks import order_provision_task
from orders.tests.factories import fabrikam_customer, order_user, placed_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

RESELLERS = r"^/v1/relationships"


def customer_posts(pc_sandbox) -> list[dict]:
    return [
        call
        for call in pc_sandbox.control.calls(method="POST")
        if call["path"].endswith("/v1/customers")
    ]


def test_credentials_refused_during_the_mpn_check_fail_the_order_at_once(pc_sandbox):
    # Given Partner Center refusing our credentials on the reseller list of the MPN ID check
    order = placed_order()
    pc_sandbox.control.inject_fault("status", status=401, method="GET", path_regex=RESELLERS)

    # When the order is provisioned
    wait = order_provision(order_id=order.pk)

    # Then it failed at once as unauthorized, without retries and without a tenant
    order.refresh_from_db()
    assert wait is None
    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.PARTNER_CENTER_UNAUTHORIZED
    assert order.transient_failures == 0
    assert not order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED).exists()
    assert order.mpn_validated_at is None
    assert customer_posts(pc_sandbox) == []


def test_rate_limited_mpn_check_waits_as_long_as_retry_after_says(pc_sandbox, settings):
    # Given a 429 with Retry-After 7 s on the MPN ID check
    settings.ORDER_RETRY_MAX_SECONDS = 300
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "rate_limit", retry_after=7, method="GET", path_regex=RESELLERS, count=1
    )

    # When the order is provisioned
    wait = order_provision(order_id=order.pk)

    # Then the next run is in 7 s, and nothing was created meanwhile
    order.refresh_from_db()
    assert wait == 7
    assert order.status == OrderStatus.PROVISIONING
    assert order.transient_failures == 1
    assert 5 < (order.attention_due_at - timezone.now()).total_seconds() <= 7
    assert customer_posts(pc_sandbox) == []


def test_retry_after_longer_than_a_message_may_wait_leaves_the_order_due_then(pc_sandbox, settings):
    # Given a 429 asking to come back in 10 minutes, beyond the longest retry countdown
    settings.ORDER_RETRY_MAX_SECONDS = 300
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "rate_limit", retry_after=600, method="GET", path_regex=RESELLERS, count=1
    )

    # When the order is provisioned
    wait = order_provision(order_id=order.pk)

    # Then no early retry is scheduled: the order is due in 10 minutes, for the sweeper
    order.refresh_from_db()
    assert wait is None
    assert order.status == OrderStatus.PROVISIONING
    assert order.transient_failures == 1
    due_in = (order.attention_due_at - timezone.now()).total_seconds()
    assert 590 < due_in <= 600
    assert order_provision(order_id=order.pk) is None  # a run now is early: nothing happens
    assert Order.objects.get(pk=order.pk).transient_failures == 1


def test_credentials_refused_during_the_relationship_wait_fail_the_order(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given an order waiting for an existing tenant's relationship
    user = order_user()
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))
    order_provision(order_id=order.pk)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.AWAITING_RELATIONSHIP
    pc_sandbox.control.inject_fault(
        "status", status=401, method="GET", path_regex=r"^/v1/customers"
    )

    # When the scheduled check meets our credentials refused
    outcome = order_check_relationship(order_id=order.pk)

    # Then the order failed as unauthorized instead of waiting for days
    order.refresh_from_db()
    assert outcome == RelationshipOutcome.FAILED
    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.PARTNER_CENTER_UNAUTHORIZED
    assert order.awaiting_relationship_until > timezone.now() + timedelta(days=1)


def test_no_customer_agreement_template_fails_the_order_at_once_and_alerts_staff(
    pc_sandbox, settings, django_capture_on_commit_callbacks
):
    # Given Partner Center offering only the legacy Microsoft Cloud Agreement, and retries that
    # would otherwise run at once (in-process)
    settings.STAFF_ALERT_EMAILS = ["staff@distributore.example"]
    pc_sandbox.control.set_agreement_types("MicrosoftCloudAgreement")
    order = placed_order()

    # When the order is provisioned
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)

    # Then it failed at the first answer with its own reason, not after the transient retries
    order.refresh_from_db()
    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.CUSTOMER_AGREEMENT_UNAVAILABLE
    assert "MicrosoftCustomerAgreement" in order.failure_detail
    assert order.transient_failures == 0
    assert not order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED).exists()
    template_calls = pc_sandbox.control.calls(method="GET", path_prefix="/v1/agreements")
    assert len(template_calls) == 1
    # and no agreement was accepted, no cart created
    posts = [call["path"] for call in pc_sandbox.control.calls(method="POST")]
    assert not any(path.endswith(("/agreements", "/carts")) for path in posts)
    # and staff got the alert naming the reason
    [alert] = mail.outbox
    assert alert.to == ["staff@distributore.example"]
    assert "customer_agreement_unavailable" in alert.body
    assert "Microsoft Customer Agreement" in alert.subject
    # and the reseller reads what happened, not a generic refusal
    assert "Microsoft Customer Agreement" in order_progress(order=order).message
    timeline = order_timeline(order=order_with_history(orders=Order.objects.filter(pk=order.pk))[0])
    assert "Microsoft Customer Agreement" in timeline[-1].text
