"""Regression tests of the defects a fault run found (issue 10): each fails on the code before
its fix. In-process against the sandbox; the worker-process versions are in
test_pipeline_embedded.py."""

import pytest
from django.core import mail

from orders.models import Order, OrderEvent, OrderStatus
from orders.provisioning import order_provision, runner
from orders.tasks import order_provision_task
from orders.tests.factories import placed_order
from orders.tests.fixtures import NO_DUPLICATES, fast_provisioning, sandbox_duplicates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]
__all__ = ["fast_provisioning"]

CUSTOMERS = r"^/v1/customers$"


def test_capped_backoff_never_waits_longer_than_the_cap(pc_sandbox, settings, monkeypatch):
    # Given backoff already at its cap, and the largest jitter the random draw can give
    settings.ORDER_RETRY_BASE_SECONDS = 8
    settings.ORDER_RETRY_MAX_SECONDS = 8
    monkeypatch.setattr(runner.random, "random", lambda: 0.999)
    order = placed_order()
    pc_sandbox.control.inject_fault("status", status=503, method="POST", path_regex=CUSTOMERS)

    # When a transient error stops the run
    wait = order_provision(order_id=order.pk)

    # Then the retry is scheduled within the cap (not handed to the sweeper with None)
    assert wait is not None
    assert 7.2 <= wait <= 8
    order.refresh_from_db()
    assert order.status == OrderStatus.PROVISIONING
    assert order.transient_failures == 1
    assert order.events.filter(kind=OrderEvent.Kind.RETRY_SCHEDULED).count() == 1


def customer_posts(pc_sandbox) -> list[dict]:
    return [
        call for call in pc_sandbox.control.calls(method="POST") if call["path"] == "/v1/customers"
    ]


def test_a_transient_error_on_a_repeat_keeps_the_request_id_of_a_lost_answer(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given the creation's answer lost after Partner Center created the tenant, then a 503 on
    # the repeat (faults fire in the order they were armed)
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=CUSTOMERS, count=1
    )
    pc_sandbox.control.inject_fault(
        "status", status=503, method="POST", path_regex=CUSTOMERS, count=1
    )

    # When the order is provisioned (in-process, retries at once)
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)

    # Then every attempt sent the first request id, and the third got the first result back
    order.refresh_from_db()
    lost, refused, repeated = customer_posts(pc_sandbox)
    assert lost["ms_request_id"] == refused["ms_request_id"] == repeated["ms_request_id"]
    assert (lost["fault"], refused["status"], repeated["replayed"]) == (
        "drop_after_commit",
        503,
        True,
    )
    assert order.status == OrderStatus.ACTIVE
    assert order.customer_request_outcome_unknown is False
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    # and the one-time password reached the reseller in e-mail 1
    credentials, summary = mail.outbox
    assert summary.subject != credentials.subject
    assert order.admin_user_name in credentials.body
    password_line = next(
        line for line in credentials.body.splitlines() if line.startswith("Password temporanea:")
    )
    assert len(password_line.split(":", 1)[1].strip()) >= 8


def test_the_unknown_outcome_survives_a_new_process(pc_sandbox):
    # Given a lost answer, then a 503 on the repeat in the same run
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=CUSTOMERS, count=1
    )
    assert order_provision(order_id=order.pk) is not None
    pc_sandbox.control.inject_fault(
        "status", status=503, method="POST", path_regex=CUSTOMERS, count=1
    )

    # When another run (another process: only the row is shared) meets the 503
    assert order_provision(order_id=order.pk) is not None

    # Then the row still holds the first request id and the fact that its outcome is unknown
    order.refresh_from_db()
    first, second = customer_posts(pc_sandbox)
    assert order.customer_request_id == first["ms_request_id"] == second["ms_request_id"]
    assert order.customer_request_outcome_unknown is True


def test_domain_in_use_after_a_lost_creation_adopts_our_tenant_instead_of_blaming_the_customer(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given a creation whose answer was lost (the tenant exists), and a request id Partner
    # Center no longer recognises (here: dropped from the row, as the code before the fix did)
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=CUSTOMERS, count=1
    )
    assert order_provision(order_id=order.pk) is not None
    Order.objects.filter(pk=order.pk).update(customer_request_id="")

    # When the next attempt is answered 409 "domain in use"
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)

    # Then the order goes on with the tenant it created: active, not failed as domain_taken
    order.refresh_from_db()
    assert [call["status"] for call in customer_posts(pc_sandbox)] == [None, 409]
    assert order.status == OrderStatus.ACTIVE
    assert order.failure_reason == ""
    tenant = pc_sandbox.control.state()["tenants"]
    created = next(t for t in tenant if t["domain"] == order.tenant_domain)
    assert order.partner_center_customer_id == created["id"]
    assert order.customer.partner_center_customer_id is not None
    # and staff are told the password must be reset; the reseller gets the summary only
    adopted = order.events.get(code=OrderEvent.Step.TENANT_CREATED)
    assert "password iniziale" in adopted.message
    [summary] = mail.outbox
    assert order.number in summary.subject
    assert order.is_new_tenant is False
