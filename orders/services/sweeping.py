"""The sweeper: resumes orders the worker should be working on but is not.

An order in ``placed`` or ``provisioning`` always has ``attention_due_at``: the time the worker
is expected to look at it next (placement, a retry, a poll). If that time is long past, its task
was lost — the broker was down at commit, a worker was killed and its message not redelivered,
Redis lost it on restart — and the order is enqueued again. A duplicate run is harmless: every
step is idempotent and its Partner Center POSTs reuse their stored MS-RequestIds.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from orders.models import WORKING_STATUSES, Order, OrderEvent
from orders.selectors import orders_overdue
from orders.services.status import order_enqueue_provisioning, order_event_record


@dataclass
class SweepResult:
    overdue: list[Order] = field(default_factory=list)  # as found, before any change
    resumed: list[int] = field(default_factory=list)


def orders_sweep(*, older_than: timedelta, dry_run: bool = False) -> SweepResult:
    """Enqueue again every order overdue by more than ``older_than``; ``dry_run`` only lists."""
    result = SweepResult(overdue=orders_overdue(older_than=older_than))
    if dry_run:
        return result
    for order in result.overdue:
        if order_resume_overdue(order_id=order.pk, older_than=older_than):
            result.resumed.append(order.pk)
    return result


def order_resume_overdue(
    *, order_id: int, older_than: timedelta, actor: str = OrderEvent.Actor.SYSTEM, actor_user=None
) -> bool:
    """Enqueue the order again if it is still working and overdue; False if it moved on."""
    now = timezone.now()
    with transaction.atomic():
        order = (
            Order.objects.select_for_update()
            .filter(
                pk=order_id,
                status__in=WORKING_STATUSES,
                attention_due_at__lt=now - older_than,
            )
            .first()
        )
        if order is None:
            return False
        minutes = int((now - order.attention_due_at).total_seconds() // 60)
        order.attention_due_at = now
        order.save(update_fields=["attention_due_at", "updated_at"])
        order_event_record(
            order=order,
            kind=OrderEvent.Kind.STAFF_ACTION if actor_user else OrderEvent.Kind.RETRY_SCHEDULED,
            actor=actor,
            actor_user=actor_user,
            message=f"Attivazione ripresa: nessuna attività da {minutes} minuti.",
        )
        order_enqueue_provisioning(order_id=order.pk)
    return True
