"""Regression tests of the defects a fault run found (issue 10): each fails on the code before
its fix. In-process against the sandbox; the worker-process versions are in
test_pipeline_embedded.py."""

import pytest

from orders.models import OrderEvent, OrderStatus
from orders.provisioning import order_provision, runner
from orders.tests.factories import placed_order
from orders.tests.fixtures import fast_provisioning

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
