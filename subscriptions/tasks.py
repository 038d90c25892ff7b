"""Celery tasks of subscriptions: thin, ids only, safe to run twice (acks_late).

Beat (storefront/settings.py): ``subscriptions_sync_task`` nightly and
``change_requests_sweep_task`` every few minutes (requests left due by a lost message).
"""

import time
from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from partnercenter.errors import PartnerCenterRateLimited, PartnerCenterUnavailable
from subscriptions.models import OPEN_CHANGE_STATUSES, ChangeRequest
from subscriptions.services.changes import change_request_run
from subscriptions.services.mirror import (
    subscription_refresh,
    subscriptions_mirror_order,
    subscriptions_sync,
)
from subscriptions.services.upgrades import subscription_upgrade_targets_refresh

EAGER_MAX_TOTAL_SECONDS = 60
SWEEP_AFTER = timedelta(minutes=10)


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
def change_requests_sweep_task() -> int:
    overdue = ChangeRequest.objects.filter(
        status__in=OPEN_CHANGE_STATUSES, attention_due_at__lt=timezone.now() - SWEEP_AFTER
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
def subscription_upgrade_targets_task(subscription_id: int) -> int:
    return len(subscription_upgrade_targets_refresh(subscription_id=subscription_id))
