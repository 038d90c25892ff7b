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

EAGER_MAX_WAIT_SECONDS = 2


@shared_task(bind=True, acks_late=True, max_retries=None)
def order_provision_task(self, order_id: int) -> None:
    # The order counts its own transient failures (runner.py): Celery's retry count is not used.
    wait = order_provision(order_id=order_id)
    while wait is not None and self.request.is_eager:
        # In-process (development without a broker, tests) there is no queue to come back
        # through: wait here, briefly since someone's request is waiting, and go on.
        time.sleep(min(wait, EAGER_MAX_WAIT_SECONDS))
        wait = order_provision(order_id=order_id)
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
