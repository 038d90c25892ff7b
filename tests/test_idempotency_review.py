"""Regression tests of an adversarial review of the Partner Center writes (orders and change
requests): each fails on the code before its fix. Real worker processes on Redis and PostgreSQL
where a process must die; the sandbox's control API injects the faults."""

import time

import pytest

from notifications.models import Email
from orders.models import OrderStatus
from orders.tests.factories import placed_order
from orders.tests.fixtures import NO_DUPLICATES, sandbox_duplicates
from tests.test_provisioning_worker import start_worker, wait_for_status

VISIBILITY_TIMEOUT = 5
CUSTOMERS = r"^/v1/customers$"
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

    # When a new worker takes the order over
    time.sleep(VISIBILITY_TIMEOUT + 1)
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
