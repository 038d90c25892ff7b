"""The change request's state machine: the one place where ``ChangeRequest.status`` changes."""

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from subscriptions.errors import ChangeTransitionError
from subscriptions.models import (
    CHANGE_TRANSITIONS,
    FINAL_CHANGE_STATUSES,
    ChangeRequest,
    ChangeRequestEvent,
    ChangeStatus,
    SubscriptionEvent,
)

logger = logging.getLogger(__name__)

# What the subscription's timeline (shown to the reseller) records for each arrival.
TIMELINE_KIND: dict[str, str] = {
    ChangeStatus.COMPLETED: SubscriptionEvent.Kind.CHANGE_COMPLETED,
    ChangeStatus.FAILED: SubscriptionEvent.Kind.CHANGE_FAILED,
    ChangeStatus.CANCELLED: SubscriptionEvent.Kind.CHANGE_CANCELLED,
}


def change_request_set_status(
    *,
    change_request_id: int,
    to_status: str,
    event: Callable[..., ChangeRequestEvent],
    changes: dict | None = None,
    expected_from: frozenset[str] | None = None,
) -> ChangeRequest:
    """Move the request to ``to_status`` if the table allows it, with its event row (and the
    subscription's timeline row for an arrival), in one transaction. Raises
    ChangeTransitionError, having changed nothing, otherwise.

    ``event`` is the function of subscriptions/events.py that records this move (its facts bound,
    e.g. ``partial(event_failed, code=..., detail=...)``); it is called with the request and the
    status it left."""
    with transaction.atomic():
        change = ChangeRequest.objects.select_for_update().get(pk=change_request_id)
        from_status = change.status
        if to_status not in CHANGE_TRANSITIONS[from_status] or (
            expected_from is not None and from_status not in expected_from
        ):
            raise ChangeTransitionError(f"change {change.pk}: {from_status} → {to_status}")
        change.status = to_status
        fields = {"status", "updated_at"}
        if to_status in FINAL_CHANGE_STATUSES:
            change.completed_at = timezone.now()
            change.attention_due_at = None
            fields.update({"completed_at", "attention_due_at"})
        elif to_status == ChangeStatus.SUBMITTED and from_status == ChangeStatus.FAILED:
            change.failure_code = change.failure_detail = ""
            change.transient_failures = 0
            fields.update({"failure_code", "failure_detail", "transient_failures"})
        for field, value in (changes or {}).items():
            setattr(change, field, value)
            fields.add(field)
        change.save(update_fields=sorted(fields))
        recorded = event(change_request=change, from_status=from_status)
        if recorded.to_status != to_status:
            # Rolls the move back: the history would tell another story than the row.
            raise ValueError(f"{recorded.type} records a move to {recorded.to_status}")
        if to_status in TIMELINE_KIND:
            SubscriptionEvent.objects.create(
                subscription_id=change.subscription_id,
                kind=TIMELINE_KIND[to_status],
                change_request=change,
                summary=change.kind,
            )
    logger.info("change request %s: %s -> %s", change.pk, from_status, to_status)
    return change


def change_request_enqueue(*, change_request_id: int) -> None:
    """Have a worker run the request once the current transaction commits (robust: a broker
    down at commit time leaves it due; the sweep resumes it)."""
    from subscriptions.tasks import change_request_run_task

    transaction.on_commit(lambda: change_request_run_task.delay(change_request_id), robust=True)
