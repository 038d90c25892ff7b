"""The Celery application. Tasks live in each app's ``tasks.py`` and are found by autodiscovery."""

import logging
import os

from celery import Celery, bootsteps

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings")

logger = logging.getLogger(__name__)

app = Celery("storefront")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


class SweepOnConnect(bootsteps.StartStopStep):
    """Sweep as soon as the worker is connected to the broker: at start, and again each time
    the connection comes back (the consumer's steps restart then). Messages lost with a killed
    worker or a restarted broker are found in seconds instead of at the next beat sweep; an
    order a live run holds, or whose retry is scheduled for later, is left alone."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer) -> None:
        try:
            consumer.app.send_task(
                "orders.tasks.orders_sweep_task",
                kwargs={"older_than_seconds": 0, "after_connection": True},
            )
        except Exception:
            # The periodic sweep catches up; a worker must start even if this send fails.
            logger.exception("sweep at broker connection not enqueued")


app.steps["consumer"].add(SweepOnConnect)
