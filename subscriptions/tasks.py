"""Celery tasks of subscriptions: thin, ids only, safe to run twice (acks_late).

Beat (storefront/settings_celery.py): ``subscriptions_sync_task`` nightly,
``change_requests_sweep_task`` every ORDER_SWEEP_INTERVAL_SECONDS (requests left due by a lost
message), which every worker also runs when it connects to the broker (storefront/celery.py), and
``reminders_send_task`` every quarter of an hour.
"""

import time
from datetime import timedelta

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from orders import conf as sweep_conf
from partnercenter.errors import PartnerCenterRateLimited, PartnerCenterUnavailable
from subscriptions.models import OPEN_CHANGE_STATUSES, ChangeRequest
from subscriptions.services.changes import change_request_run
from subscriptions.services.mirror import (
    subscription_refresh,
    subscriptions_mirror_order,
    subscriptions_sync,
)
from subscriptions.services.reminders import reminders_send
from subscriptions.services.upgrades import subscription_upgrade_targets_refresh

EAGER_MAX_TOTAL_SECONDS = 60


@shared_task(bind=True, acks_late=True, max_retries=None)
def change_request_run_task(self, change_request_id: int) -> None:
    wait = change_request_run(change_request_id=change_request_id)
    if self.request.is_eager:
        # In-process (development without a broker, tests): wait here within a budget; past it
        # the request stays due and the sweep resumes it.
        deadline = time.monotonic() + EAGER_MAX_TOTAL_SECONDS
        while wait is not None and time.monotonic() + wait <= deadline:
            time.sleep(wait)
            wait = change_request_run(change_request_id=change_request_id)
        return
    if wait is not None:
        raise self.retry(countdown=wait)


@shared_task(acks_late=True)
def change_requests_sweep_task(older_than_seconds: float | None = None) -> int:
    """Enqueue again the open requests overdue by ORDER_SWEEP_AFTER_MINUTES (0 at a worker's
    start: a request due and not running has lost its message; a run in progress or a retry
    scheduled for later makes the extra message a no-op, change_request_run's claim)."""
    older_than = (
        sweep_conf.sweep_after()
        if older_than_seconds is None
        else timedelta(seconds=older_than_seconds)
    )
    overdue = ChangeRequest.objects.filter(
        status__in=OPEN_CHANGE_STATUSES, attention_due_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    for change_request_id in overdue:
        change_request_run_task.delay(change_request_id)
    return len(overdue)


# Partner Center unreachable right after activation: try again a few times; the nightly sync
# adopts whatever is still missing (it was sold here: an order line names it).
@shared_task(
    acks_late=True,
    autoretry_for=(PartnerCenterUnavailable, PartnerCenterRateLimited),
    retry_backoff=30,
    max_retries=5,
)
def subscriptions_mirror_order_task(order_id: int) -> int:
    return subscriptions_mirror_order(order_id=order_id)


@shared_task(acks_late=True)
def subscription_refresh_task(subscription_id: int) -> None:
    subscription_refresh(subscription_id=subscription_id)


@shared_task(acks_late=True)
def subscriptions_sync_task() -> dict:
    report = subscriptions_sync()
    return {"found": report.found, "changed": len(report.changed), "vanished": len(report.vanished)}


@shared_task(acks_late=True)
def reminders_send_task(now: str | None = None) -> int:
    """``now`` (ISO 8601) only for tests and staff replaying a moment; beat passes nothing."""
    moment = parse_datetime(now) if now else None
    return reminders_send(now=moment)


@shared_task(acks_late=True)
def subscription_upgrade_targets_task(subscription_id: int) -> int:
    return len(subscription_upgrade_targets_refresh(subscription_id=subscription_id))
