"""Short writes between Partner Center calls: outcomes, progress and the MS-RequestIds.

Every write is its own short transaction (or a single UPDATE) and is guarded by the order still
being ``provisioning``: nothing is held while Partner Center is called.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.utils import timezone

from orders import conf
from orders.events import event_step_completed
from orders.models import Order, OrderStatus
from orders.provisioning.errors import ProvisioningStopped
from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterError,
    PartnerCenterNotFound,
)

T = TypeVar("T")

# Each POST's request id field and the field that remembers an unknown outcome of that POST.
OUTCOME_UNKNOWN_FIELDS = {
    "customer_request_id": "customer_request_outcome_unknown",
    "agreement_request_id": "agreement_request_outcome_unknown",
    "cart_request_id": "cart_request_outcome_unknown",
    "cart_submit_request_id": "cart_submit_request_outcome_unknown",
}
# Answers that refuse the request itself: whatever a lost earlier attempt did, this request id
# has had its definite answer. Anything else (5xx, 429, 401, a timeout) says nothing about it.
REFUSALS = (PartnerCenterBusinessError, PartnerCenterNotFound)

# What the steps check to know their work is done, and the MS-RequestIds of their POSTs.
PROGRESS_FIELDS = (
    "mpn_validated_at",
    "reseller_tenant_id",
    "partner_center_customer_id",
    "customer_request_id",
    "admin_user_name",
    "admin_password_encrypted",
    "agreement_accepted_at",
    "agreement_request_id",
    "partner_center_cart_id",
    "cart_request_id",
    "cart_submit_request_id",
    "customer_request_outcome_unknown",
    "agreement_request_outcome_unknown",
    "cart_request_outcome_unknown",
    "cart_submit_request_outcome_unknown",
    "cart_submitted_at",
    "activated_at",
    "activation_wait_started_at",
    "transient_failures",
)


def order_update_if_provisioning(order: Order, **fields) -> None:
    """Save ``fields`` on the order if it is still provisioning (ProvisioningStopped if not)."""
    fields["updated_at"] = timezone.now()
    updated = Order.objects.filter(pk=order.pk, status=OrderStatus.PROVISIONING).update(**fields)
    if not updated:
        raise ProvisioningStopped(order.pk)
    for name, value in fields.items():
        setattr(order, name, value)


def step_done(order: Order, *, step: str, facts: dict | None = None, **fields) -> None:
    """Record a completed step (an OrderEvent.Step): its outcome (``fields`` of the order), the
    end of any run of failures, the event with ``facts`` (orders.events.event_step_completed)."""
    order_update_if_provisioning(order, transient_failures=0, **fields)
    event_step_completed(order=order, step=step, **(facts or {}))


def request_id_for(order: Order, field: str) -> str:
    """The MS-RequestId of the POST recorded in ``field``: the one stored by an attempt whose
    outcome is unknown, else a new one, stored before it is used.

    The claim is a conditional UPDATE: should another run have stored an id meanwhile, that id
    is used, so two runs of the order send the same request and Partner Center answers both with
    one result. Raises ProvisioningStopped when the order is no longer provisioning.
    """
    return _claim_request_id(order, field)[0]


def _claim_request_id(order: Order, field: str) -> tuple[str, bool]:
    """request_id_for, and whether the id is new (False: an earlier attempt stored it)."""
    for _attempt in range(3):
        request_id = str(uuid.uuid4())
        claimed = Order.objects.filter(
            pk=order.pk, status=OrderStatus.PROVISIONING, **{field: ""}
        ).update(**{field: request_id, "updated_at": timezone.now()})
        if not claimed:
            stored = (
                Order.objects.filter(pk=order.pk, status=OrderStatus.PROVISIONING)
                .values_list(field, flat=True)
                .first()
            )
            if stored is None:
                raise ProvisioningStopped(order.pk)
            request_id = stored
        if request_id:  # empty only if another run dropped its id in between: claim again
            setattr(order, field, request_id)
            return request_id, bool(claimed)
    raise ProvisioningStopped(order.pk)


def order_lease_refresh(order: Order) -> None:
    """Extend this run's hold on the order before a step; ProvisioningStopped if it lost it (the
    order left provisioning, or the lease expired and another run took the order)."""
    until = timezone.now() + conf.run_lease()
    refreshed = Order.objects.filter(
        pk=order.pk, status=OrderStatus.PROVISIONING, run_lease_until=order.run_lease_until
    ).update(run_lease_until=until)
    if not refreshed:
        raise ProvisioningStopped(order.pk)
    order.run_lease_until = until
    # Progress another run may have recorded: each step's guard is read afresh before its POST.
    order.refresh_from_db(fields=PROGRESS_FIELDS)
    order.customer.refresh_from_db(fields=["partner_center_customer_id"])


def order_lease_release(order: Order) -> None:
    """The run is over: the order is free for the next one (a no-op if it is no longer ours)."""
    Order.objects.filter(pk=order.pk, run_lease_until=order.run_lease_until).update(
        run_lease_until=None
    )
    order.run_lease_until = None


def partner_center_post(order: Order, field: str, call: Callable[[str], T]) -> T:
    """Make an idempotent POST with the request id of ``field``.

    After an unknown outcome (timeout, dropped connection, 500/502/504) the id is kept, and that
    fact is stored on the order: until the id gets a definite answer — a success or a refusal —
    every retry, in this process or another after a restart, repeats the same request, which
    Partner Center answers with the first result. A transient error on a repeat proves only that
    the repeat did nothing, so it keeps the id too. A definite error on a request whose outcome
    was never unknown drops the id, and the next attempt is a new request. An id found stored
    counts as an unknown outcome too: whoever sent it never recorded the answer.
    """
    outcome_field = OUTCOME_UNKNOWN_FIELDS[field]
    request_id, is_new = _claim_request_id(order, field)
    if not is_new and not getattr(order, outcome_field):
        # A stored id whose answer was never recorded: the process that sent it died waiting
        # (or another run is sending it now), so Partner Center may have done it already.
        order_update_if_provisioning(order, **{outcome_field: True})
    try:
        result = call(request_id)
    except PartnerCenterError as exc:
        if exc.outcome_unknown:
            if not getattr(order, outcome_field):
                order_update_if_provisioning(order, **{outcome_field: True})
        elif isinstance(exc, REFUSALS) or not getattr(order, outcome_field):
            # The unknown-outcome fact stays after a refusal: the step may then find that an
            # earlier attempt did the work (a 409 for a tenant we created).
            order_update_if_provisioning(order, **{field: ""})
        raise
    if getattr(order, outcome_field):
        order_update_if_provisioning(order, **{outcome_field: False})
    return result
