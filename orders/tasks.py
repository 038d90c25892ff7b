"""Celery tasks of orders: thin, ids only (never a secret), safe to run twice (acks_late).

Scheduled by Celery beat (storefront/settings.py CELERY_BEAT_SCHEDULE): ``orders_sweep_task``
and ``orders_check_relationships_task``.
"""

import time

from celery import shared_task

from orders import conf
from orders.provisioning import order_provision
from orders.provisioning.relationship import order_check_relationship, orders_awaiting_relationship
from orders.services.sweeping import orders_sweep

# In-process runs wait here for the order's next step at most this long in all; the sweeper
# resumes the order after that.
EAGER_MAX_TOTAL_SECONDS = 60


@shared_task(bind=True, acks_late=True, max_retries=None)
def order_provision_task(self, order_id: int) -> None:
    # The order counts its own transient failures (runner.py): Celery's retry count is not used.
    wait = order_provision(order_id=order_id)
    if self.request.is_eager:
        # In-process (development without a broker, tests) there is no queue to come back
        # through: wait here until the order is due again, within a total budget since
        # someone's request is waiting; past it the order stays due and the sweeper resumes it.
        deadline = time.monotonic() + EAGER_MAX_TOTAL_SECONDS
        while wait is not None and time.monotonic() + wait <= deadline:
            time.sleep(wait)
            wait = order_provision(order_id=order_id)
        return
    if wait is not None:
        raise self.retry(countdown=wait)


@shared_task(acks_late=True)
def order_check_relationship_task(order_id: int) -> str:
    return order_check_relationship(order_id=order_id)


@shared_task(acks_late=True)
def orders_check_relationships_task() -> int:
    """Fan out one check per waiting order, so that one slow check does not delay the others."""
    order_ids = orders_awaiting_relationship()
    for order_id in order_ids:
        order_check_relationship_task.delay(order_id)
    return len(order_ids)


@shared_task(acks_late=True)
def orders_sweep_task() -> int:
    return len(orders_sweep(older_than=conf.sweep_after()).resumed)
