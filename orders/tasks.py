"""Celery tasks of orders: thin, ids only (never a secret), safe to run twice (acks_late).

Scheduled by Celery beat (storefront/settings.py CELERY_BEAT_SCHEDULE, intervals from the
environment): ``orders_sweep_task`` and ``orders_check_relationships_task``. Every worker also
sweeps at once when it connects to the broker (storefront/celery.py), so orders whose messages
a dead worker or a restarted broker lost are resumed within seconds.
"""

import time
from datetime import timedelta

from celery import shared_task

from orders import conf
from orders.models import OrderEvent
from orders.provisioning import order_provision
from orders.provisioning.relationship import (
    order_check_relationship,
    orders_claim_relationship_checks_due,
)
from orders.services.sweeping import orders_sweep

# In-process runs wait here for the order's next step at most this long in all; the sweeper
# resumes the order after that.
EAGER_MAX_TOTAL_SECONDS = 60


@shared_task(bind=True, acks_late=True, max_retries=None)
def order_provision_task(self, order_id: int) -> None:
    # The order counts its own transient failures (runner.py): Celery's retry count is not used.
    wait = order_provision(order_id=order_id)
    if self.request.is_eager:
        # In-process (tests) there is no queue to come back through: wait here until the order
        # is due again, within a total budget; past it the order stays due and the sweeper
        # resumes it.
        deadline = time.monotonic() + EAGER_MAX_TOTAL_SECONDS
        while wait is not None and time.monotonic() + wait <= deadline:
            time.sleep(wait)
            wait = order_provision(order_id=order_id)
        return
    if wait is not None:
        raise self.retry(countdown=wait)


@shared_task(acks_late=True)
def order_check_relationship_task(order_id: int, actor: str = OrderEvent.Actor.WORKER) -> str:
    return order_check_relationship(order_id=order_id, actor=actor)


@shared_task(acks_late=True)
def orders_check_relationships_task() -> int:
    """Fan out one check per waiting order due, so that one slow check delays no other."""
    order_ids = orders_claim_relationship_checks_due()
    for order_id in order_ids:
        order_check_relationship_task.delay(order_id)
    return len(order_ids)


@shared_task(acks_late=True)
def orders_sweep_task(
    older_than_seconds: float | None = None, after_connection: bool = False
) -> int:
    """Resume the orders left behind; ``older_than_seconds`` overrides ORDER_SWEEP_AFTER_MINUTES
    (0 at a worker's start: anything due and not held by a run has lost its message);
    ``after_connection``: that sweep, whose resumptions are not counted as failures."""
    older_than = (
        conf.sweep_after() if older_than_seconds is None else timedelta(seconds=older_than_seconds)
    )
    resumed = len(
        orders_sweep(older_than=older_than, counts_as_failure=not after_connection).resumed
    )
    orders_check_relationships_task.delay()
    return resumed
