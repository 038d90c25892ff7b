"""Short writes between Partner Center calls: outcomes, progress and the MS-RequestIds.

Every write is its own short transaction (or a single UPDATE) and is guarded by the order still
being ``provisioning``: nothing is held while Partner Center is called.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone

from orders.models import Order, OrderEvent, OrderStatus
from orders.provisioning.errors import ProvisioningStopped
from orders.services.status import order_event_record
from partnercenter.errors import PartnerCenterError

T = TypeVar("T")


def order_record(order: Order, **fields) -> None:
    """Save ``fields`` on the order if it is still provisioning (ProvisioningStopped if not)."""
    fields["updated_at"] = timezone.now()
    updated = Order.objects.filter(pk=order.pk, status=OrderStatus.PROVISIONING).update(**fields)
    if not updated:
        raise ProvisioningStopped(order.pk)
    for name, value in fields.items():
        setattr(order, name, value)


def step_done(order: Order, message: str, **fields) -> None:
    """Record a completed step: its outcome, the end of any run of failures, the event."""
    order_record(order, transient_failures=0, **fields)
    order_event_record(order=order, kind=OrderEvent.Kind.STEP_COMPLETED, message=message)


def request_id_for(order: Order, field: str) -> str:
    """The MS-RequestId of the POST recorded in ``field``: the one stored by an attempt whose
    outcome is unknown, else a new one, stored before it is used."""
    current = getattr(order, field)
    if current:
        return current
    request_id = str(uuid.uuid4())
    order_record(order, **{field: request_id})
    return request_id


def partner_center_post(order: Order, field: str, call: Callable[[str], T]) -> T:
    """Make an idempotent POST with the request id of ``field``.

    After a definite answer that is an error the id is dropped, so the next attempt is a new
    request; after an unknown outcome (timeout, dropped connection, 500/502/504) it is kept and
    the retry repeats the same request, which Partner Center answers with the first result.
    """
    request_id = request_id_for(order, field)
    try:
        return call(request_id)
    except PartnerCenterError as exc:
        if not exc.outcome_unknown:
            order_record(order, **{field: ""})
        raise
