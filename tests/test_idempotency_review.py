"""Regression tests of an adversarial review of the Partner Center writes (orders and change
requests): each fails on the code before its fix. Real worker processes on Redis and PostgreSQL
where a process must die; the sandbox's control API injects the faults."""

import time
import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from notifications.models import Email
from orders.models import FailureReason, OrderStatus
from orders.services.staff import order_retry
from orders.tasks import order_provision_task
from orders.tests.factories import contoso_customer, order_user, placed_order
from orders.tests.helpers import NO_DUPLICATES, sandbox_duplicates
from partnercenter.tests.helpers import client_for
from storefront.tests.factories import StaffUserFactory
from subscriptions.models import ChangeRequest, ChangeStatus, Subscription
from subscriptions.services import changes as change_service
from subscriptions.services.changes import change_request_create, change_request_run
from subscriptions.services.staff import change_request_retry
from subscriptions.tasks import change_requests_sweep_task
from subscriptions.tests.factories import active_order
from tests.test_provisioning_worker import (
    start_worker,
    wait_for_status,
    wait_for_the_lease_to_lapse,
)

VISIBILITY_TIMEOUT = 5
CUSTOMERS = r"^/v1/customers$"
CHECKOUT = r"/checkout$"
FAST_RETRIES = {
    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    "ORDER_RETRY_BASE_SECONDS": "0.2",
    "ORDER_RETRY_MAX_SECONDS": "1",
    "ORDER_POLL_SECONDS": "0.2",
}


def customer_posts(pc_sandbox) -> list[dict]:
    return [
        call for call in pc_sandbox.control.calls(method="POST") if call["path"] == "/v1/customers"
    ]


def sandbox_domains(pc_sandbox) -> set[str]:
    return {tenant["domain"] for tenant in pc_sandbox.control.state()["tenants"]}


def remote_quantity(pc_sandbox, subscription: Subscription) -> int:
    with client_for(pc_sandbox) as client:
        return client.get_subscription(
            subscription.partner_center_customer_id, subscription.partner_center_id
        ).quantity


def wait_until(condition, *, timeout: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout} s"
        time.sleep(0.05)


@pytest.mark.worker
@pytest.mark.postgres
def test_a_worker_killed_during_the_tenant_creation_then_a_503_on_the_repeat_creates_one_tenant(
    celery_workers, pc_sandbox, smtp
):
    # Given a worker killed while Partner Center holds its POST /v1/customers (3 s latency):
    # the request was sent and Partner Center then creates the tenant, but no process ever
    # learns it, so the order's row holds the request id with no recorded outcome
    pc_sandbox.control.inject_fault(
        "latency", method="POST", path_regex=CUSTOMERS, latency_ms=3000, count=1
    )
    first = start_worker(celery_workers, pc_sandbox, smtp, **FAST_RETRIES)
    order = placed_order()
    wait_until(lambda: customer_posts(pc_sandbox), what="the tenant creation")
    celery_workers.kill(first)
    wait_until(lambda: order.tenant_domain in sandbox_domains(pc_sandbox), what="the creation")
    # and Partner Center answers the next repeat 503 (a definite "not now" for that repeat only)
    pc_sandbox.control.inject_fault(
        "status", status=503, method="POST", path_regex=CUSTOMERS, count=1
    )

    # When a new worker takes the order over, the killed worker's message restored to it
    wait_for_the_lease_to_lapse(order.pk)
    assert celery_workers.expire_unacknowledged() == 1
    start_worker(celery_workers, pc_sandbox, smtp, **FAST_RETRIES)
    order = wait_for_status(order.pk, {OrderStatus.ACTIVE, OrderStatus.FAILED}, timeout=90)

    # Then every creation attempt repeated the killed worker's request, Partner Center answered
    # the last with the tenant it had created, and the reseller got its one-time password
    posts = customer_posts(pc_sandbox)
    assert [call["status"] for call in posts] == [201, 503, 201]
    assert len({call["ms_request_id"] for call in posts}) == 1
    assert posts[-1]["replayed"] is True
    assert (order.status, order.failure_reason) == (OrderStatus.ACTIVE, "")
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    assert order.is_new_tenant is True
    assert Email.objects.filter(order=order, status=Email.Status.SENT).count() == 2
    assert len(smtp.wait_for(2)) == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_provisioning")
def test_a_staff_retry_whose_message_is_lost_is_resumed_by_the_sweep(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given a change that failed (the reseller not valid as partner of record at the time)
    order = active_order(django_capture_on_commit_callbacks, addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Inactive")
    with django_capture_on_commit_callbacks(execute=True):
        change = change_request_create(
            subscription=subscription,
            user=order.user,
            kind=ChangeRequest.Kind.ADD_SEATS,
            idempotency_key=uuid.uuid4(),
            seats=1,
        )
    change.refresh_from_db()
    assert change.status == ChangeStatus.FAILED
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Active")
    # and staff retry it while the broker is down: the message queued at commit is lost
    with django_capture_on_commit_callbacks(execute=False):
        change_request_retry(change_request_id=change.pk, staff_user=StaffUserFactory())

    # When the periodic sweep runs, long after any sweep threshold
    an_hour_later = timezone.now() + timedelta(hours=1)
    with mock.patch("django.utils.timezone.now", return_value=an_hour_later):
        resumed = change_requests_sweep_task()

    # Then it resumed the change, which completed: nobody had to notice it
    change.refresh_from_db()
    assert resumed == 1
    assert change.status == ChangeStatus.COMPLETED
    assert remote_quantity(pc_sandbox, subscription) == subscription.quantity + 1


@pytest.mark.worker
@pytest.mark.postgres
def test_a_change_request_whose_message_redis_lost_is_run_as_soon_as_a_worker_starts(
    celery_workers, pc_sandbox, smtp, redis_client
):
    # Given Contoso's active order, its subscription mirrored, and no worker running
    first = start_worker(celery_workers, pc_sandbox, smtp, **FAST_RETRIES)
    user = order_user()
    order = placed_order(user=user, customer=contoso_customer(reseller=user.reseller))
    wait_until(lambda: Subscription.objects.filter(order=order).exists(), what="the mirror")
    subscription = Subscription.objects.get(order=order)
    celery_workers.kill(first)
    # and a change requested, whose message Redis then loses (restarted without its data)
    change = change_request_create(
        subscription=subscription,
        user=user,
        kind=ChangeRequest.Kind.ADD_SEATS,
        idempotency_key=uuid.uuid4(),
        seats=2,
    )
    redis_client.flushdb()

    # When a worker starts
    start_worker(celery_workers, pc_sandbox, smtp, **FAST_RETRIES)

    # Then it finds the change at once and completes it
    wait_until(
        lambda: ChangeRequest.objects.get(pk=change.pk).status == ChangeStatus.COMPLETED,
        what="the change",
    )
    assert remote_quantity(pc_sandbox, subscription) == subscription.quantity + 2


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_provisioning")
def test_a_change_request_retry_at_the_cap_never_waits_longer_than_the_cap(
    pc_sandbox, django_capture_on_commit_callbacks, settings, monkeypatch
):
    # Given backoff already at its cap, and the largest jitter the random draw can give
    order = active_order(django_capture_on_commit_callbacks, addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    with django_capture_on_commit_callbacks(execute=False):
        change = change_request_create(
            subscription=subscription,
            user=order.user,
            kind=ChangeRequest.Kind.ADD_SEATS,
            idempotency_key=uuid.uuid4(),
            seats=1,
        )
    settings.ORDER_RETRY_BASE_SECONDS = 8
    settings.ORDER_RETRY_MAX_SECONDS = 8
    monkeypatch.setattr(change_service.random, "random", lambda: 0.999)
    pc_sandbox.control.inject_fault(
        "status", status=503, method="GET", path_regex="/subscriptions/"
    )

    # When a transient error stops the run
    wait = change_request_run(change_request_id=change.pk)

    # Then the retry waits at most the cap (the longest wait the broker is configured for)
    change.refresh_from_db()
    assert change.transient_failures == 1
    assert 7.2 <= wait <= 8


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_provisioning")
def test_a_cancel_accepted_with_202_is_not_reported_refused_when_the_window_closes_meanwhile(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given a cancel Partner Center accepted with 202 inside the window (done on a later read)
    order = active_order(django_capture_on_commit_callbacks, addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    pc_sandbox.control.set_subscription_options(patch_mode="202", patch_completion_reads=3)
    with django_capture_on_commit_callbacks(execute=False):
        change = change_request_create(
            subscription=subscription,
            user=order.user,
            kind=ChangeRequest.Kind.CANCEL,
            idempotency_key=uuid.uuid4(),
            confirm_name=subscription.title,
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert change_request_run(change_request_id=change.pk) is not None
    # and the 7-day window closes while Partner Center is still at it
    pc_sandbox.control.advance_clock("P8D")

    # When the worker polls until the request ends
    with django_capture_on_commit_callbacks(execute=True):
        for _poll in range(5):
            if change_request_run(change_request_id=change.pk) is None:
                break

    # Then the request completed, as Partner Center did: the reseller is not told it failed
    change.refresh_from_db()
    assert (change.status, change.failure_code) == (ChangeStatus.COMPLETED, "")
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.DELETED
    assert [change["changes"] for change in pc_sandbox.control.subscription_changes()] == [
        {"status": "deleted"}
    ]
    assert list(Email.objects.filter(kind__startswith="change").values_list("kind", flat=True)) == [
        Email.Kind.CHANGE_COMPLETED
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_provisioning")
def test_a_staff_retry_after_a_lost_checkout_repeats_it_without_judging_the_mpn_id_again(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given a checkout whose answer was lost after Microsoft placed the order, then 503s until
    # the order failed as partner_center_unavailable
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=CHECKOUT, count=1
    )
    pc_sandbox.control.inject_fault("status", status=503, method="POST", path_regex=CHECKOUT)
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)
    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (
        OrderStatus.FAILED,
        FailureReason.PARTNER_CENTER_UNAVAILABLE,
    )
    assert order.cart_submit_request_outcome_unknown is True
    # and, by the time staff retry, the reseller is no longer active in Partner Center
    pc_sandbox.control.clear_faults()
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Inactive")

    # When staff retry the order
    with django_capture_on_commit_callbacks(execute=True):
        order_retry(order_id=order.pk, user=StaffUserFactory())

    # Then the repeated checkout gets Microsoft's first answer: the order Microsoft has is
    # active here too, not failed as mpn_invalid
    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (OrderStatus.ACTIVE, "")
    checkouts = [
        call
        for call in pc_sandbox.control.calls(method="POST")
        if call["path"].endswith("/checkout")
    ]
    assert len({call["ms_request_id"] for call in checkouts}) == 1
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
