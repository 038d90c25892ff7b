"""The sweeper: resumes orders the worker should be working on but is not.

An order in ``placed`` or ``provisioning`` always has ``attention_due_at``: the time the worker
is expected to look at it next (placement, a retry, a poll). If that time is long past, its task
was lost — the broker was down at commit, a worker was killed and its message not redelivered,
Redis lost it on restart — and the order is enqueued again.

The task may not be lost, only late (a backed-up queue): then two messages exist for the order.
Two runs at once could send Partner Center two different requests, so a run first claims the
order (runner.py ``_claim_run_lease``: due, and no other run's lease unexpired) and the second
message does nothing; the MS-RequestIds are claimed with a conditional update as a backstop. An
order a run holds is not resumed here (orders/provisioning/README.md: the five guards).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from orders import conf
from orders.events import event_order_resumed
from orders.models import WORKING_STATUSES, FailureReason, Order, OrderEvent, OrderStatus
from orders.selectors import orders_overdue
from orders.services.status import (
    Failure,
    order_enqueue_provisioning,
    order_set_status,
)


@dataclass
class SweepResult:
    overdue: list[Order] = field(default_factory=list)  # as found, before any change
    resumed: list[int] = field(default_factory=list)


def orders_sweep(
    *, older_than: timedelta, dry_run: bool = False, counts_as_failure: bool = True
) -> SweepResult:
    """Enqueue again every order overdue by more than ``older_than``; ``dry_run`` only lists.
    ``counts_as_failure``: see order_resume_overdue."""
    result = SweepResult(overdue=orders_overdue(older_than=older_than))
    if dry_run:
        return result
    for order in result.overdue:
        if order_resume_overdue(
            order_id=order.pk, older_than=older_than, counts_as_failure=counts_as_failure
        ):
            result.resumed.append(order.pk)
    return result


def order_resume_overdue(
    *,
    order_id: int,
    older_than: timedelta,
    actor: str = OrderEvent.Actor.SYSTEM,
    actor_user=None,
    counts_as_failure: bool = True,
) -> bool:
    """Enqueue the order again if it is still working and overdue; False if it moved on.

    ``counts_as_failure=False`` for the sweep a worker makes when it (re)connects to the broker:
    an order due then and held by no run has lost its message or is still queued behind others,
    which is not the order's failure; counted, a burst of orders and a few restarts used up
    their budget before they ever ran (make proof). An order whose runs kill the worker still
    holds an unexpired lease at that moment, so only the periodic sweep resumes it, and counts.
    """
    now = timezone.now()
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(
                pk=order_id,
                status__in=WORKING_STATUSES,
                attention_due_at__lt=now - older_than,
            )
            .exclude(run_lease_until__gt=now)
            .first()
        )
        if order is None:
            return False
        assert order.attention_due_at is not None, "filtered on attention_due_at__lt"
        minutes = int((now - order.attention_due_at).total_seconds() // 60)
        resumptions = order.transient_failures + (1 if counts_as_failure else 0)
        if counts_as_failure and resumptions >= conf.max_transient_failures():
            _fail_stuck(order, resumptions, minutes, actor, actor_user)
            return False
        order.attention_due_at = now
        # Counted with the transient failures (reset by any progress): a run that dies at the
        # same step every time does not get resumed for ever.
        order.transient_failures = resumptions
        order.save(update_fields=["attention_due_at", "transient_failures", "updated_at"])
        event_order_resumed(order=order, idle_minutes=minutes, actor=actor, user=actor_user)
        order_enqueue_provisioning(order_id=order.pk)
    return True


def _fail_stuck(order: Order, resumptions: int, minutes: int, actor: str, actor_user) -> None:
    """Resumed that often without progress: a bug or an outage staff must look at (alerted)."""
    order_set_status(
        order_id=order.pk,
        to_status=OrderStatus.FAILED,
        actor=actor,
        actor_user=actor_user,
        failure=Failure(
            reason=FailureReason.PARTNER_CENTER_UNAVAILABLE,
            code="provisioning_stuck",
            detail=f"Attivazione ripresa {resumptions - 1} volte senza progressi; nessuna "
            f"attività da {minutes} minuti. Verificare i log del worker prima di riprovare.",
        ),
    )
