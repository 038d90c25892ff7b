"""The order's history: one small function per event type, the facts of the event as keyword
arguments, stored as ``OrderEvent.parameters``.

Nothing else writes an OrderEvent. The parameters are facts, not sentences: the wording for staff
and for the reseller is rendered from them in orders/event_messages.py, in the reader's language.
They may name Partner Center errors, MS-RequestIds and staff's e-mail addresses (staff read
them), never a secret: ``_record`` refuses a parameter whose name says it is one.

Questions about the history are then one ORM filter, e.g. the orders retried after a 429 last
week: ``OrderEvent.objects.filter(type=OrderEvent.Type.RETRY_SCHEDULED, parameters__status=429,
created_at__gte=...).values("order").distinct().count()``.
"""

from collections.abc import Iterable
from datetime import datetime

from orders.models import Order, OrderEvent, OrderStatus
from storefront.events import event_parameters_refuse_secrets

Type = OrderEvent.Type
Actor = OrderEvent.Actor


def _record(
    *,
    order: Order,
    type: str,
    parameters: dict,
    actor: str = Actor.WORKER,
    user=None,
    from_status: str = "",
    to_status: str = "",
) -> OrderEvent:
    event_parameters_refuse_secrets(parameters, event="an order event")
    return OrderEvent.objects.create(
        order=order,
        type=type,
        parameters=parameters,
        actor=actor,
        actor_user=user,
        from_status=from_status,
        to_status=to_status,
    )


def event_order_placed(*, order: Order, user, company_name: str) -> OrderEvent:
    """The reseller's user placed the order from the cart."""
    return _record(
        order=order,
        type=Type.STATUS_CHANGED,
        actor=Actor.RESELLER,
        user=user,
        to_status=OrderStatus.PLACED,
        parameters={
            "user_email": user.email,
            "company_name": company_name,
            "is_new_tenant": order.is_new_tenant,
        },
    )


def event_status_changed(
    *,
    order: Order,
    from_status: str,
    to_status: str,
    actor: str,
    user=None,
    failure=None,
    note: str = "",
    waiting_until: datetime | None = None,
) -> OrderEvent:
    """A move of the state machine (orders.services.status.order_set_status writes it).

    ``failure`` (a move to failed): its reason, Partner Center code and detail for staff;
    ``note``: staff's note when they close the order; ``waiting_until``: the relationship wait's
    deadline (a move to awaiting_relationship).
    """
    parameters = {}
    if user is not None:
        parameters["user_email"] = user.email
    if failure is not None:
        parameters.update(reason=failure.reason, code=failure.code[:32], detail=failure.detail)
    if note:
        parameters["note"] = note
    if waiting_until is not None:
        parameters["waiting_until"] = waiting_until.isoformat()
    return _record(
        order=order,
        type=Type.STATUS_CHANGED,
        actor=actor,
        user=user,
        from_status=from_status,
        to_status=to_status,
        parameters=parameters,
    )


def event_step_completed(
    *,
    order: Order,
    step: str,
    mpn_id: str = "",
    customer_id: str = "",
    domain: str = "",
    is_adopted: bool = False,
    was_already_accepted: bool = False,
    cart_id: str = "",
    line_count: int | None = None,
    partner_center_order_ids: Iterable[str] = (),
    subscriptions: Iterable[tuple[str, str]] = (),
) -> OrderEvent:
    """A provisioning step recorded its outcome (an OrderEvent.Step) with what it obtained:
    ``mpn_id`` (mpn); ``customer_id`` and ``domain`` (tenant_created, tenant_linked,
    relationship), ``is_adopted`` (a tenant created by a request whose answer was lost);
    ``was_already_accepted`` (agreement); ``cart_id``, ``line_count`` (cart);
    ``partner_center_order_ids`` (cart_submitted); ``subscriptions`` as (SKU title,
    subscription id) pairs (activation). Only the facts given are stored."""
    facts = {
        "mpn_id": mpn_id,
        "customer_id": customer_id,
        "domain": domain,
        "is_adopted": is_adopted,
        "was_already_accepted": was_already_accepted,
        "cart_id": cart_id,
        "line_count": line_count,
        "partner_center_order_ids": list(partner_center_order_ids),
        "subscriptions": [list(pair) for pair in subscriptions],
    }
    parameters = {"step": step, **{name: value for name, value in facts.items() if value}}
    return _record(order=order, type=Type.STEP_COMPLETED, parameters=parameters)


def event_email_sent(*, order: Order, kind: str, recipients: Iterable[str]) -> OrderEvent:
    """An order e-mail (an Email.Kind) was accepted by SMTP for these recipients."""
    return _record(
        order=order,
        type=Type.EMAIL_SENT,
        parameters={"kind": kind, "recipients": list(recipients)},
    )


def event_retry_scheduled(
    *,
    order: Order,
    operation: str,
    error: Exception,
    retry_in: float,
    failures: int | None = None,
    max_failures: int | None = None,
) -> OrderEvent:
    """A transient error: ``operation`` (an OrderEvent.Operation) runs again in ``retry_in``
    seconds. ``status`` is the HTTP status of Partner Center's answer if there was one (429:
    rate limited), ``error_code`` its error code; ``failures`` of ``max_failures`` in a row."""
    parameters = {
        "operation": operation,
        "error": type(error).__name__,
        "status": getattr(error, "http_status", None),
        "error_code": getattr(error, "error_code", "") or "",
        "detail": str(error),
        "retry_in": round(retry_in, 1),
    }
    if failures is not None:
        parameters.update(failures=failures, max_failures=max_failures)
    return _record(order=order, type=Type.RETRY_SCHEDULED, parameters=parameters)


def event_order_resumed(*, order: Order, idle_minutes: int, actor: str, user=None) -> OrderEvent:
    """An order the worker had not looked at for ``idle_minutes`` was enqueued again: by the
    sweeper (a retry it scheduled) or by staff («Riprendi», a staff action)."""
    if user is None:
        return _record(
            order=order,
            type=Type.RETRY_SCHEDULED,
            actor=actor,
            parameters={"operation": OrderEvent.Operation.RESUME, "idle_minutes": idle_minutes},
        )
    return event_staff_action(
        order=order, user=user, action=OrderEvent.StaffAction.RESUME, idle_minutes=idle_minutes
    )


def event_staff_action(
    *, order: Order, user, action: str, idle_minutes: int | None = None
) -> OrderEvent:
    """Staff did something to the order that is not a move of the state machine (an
    OrderEvent.StaffAction); the moves (retry, cancel, resolve) are status_changed events."""
    parameters = {"action": action, "user_email": user.email}
    if idle_minutes is not None:
        parameters["idle_minutes"] = idle_minutes
    return _record(
        order=order,
        type=Type.STAFF_ACTION,
        actor=Actor.STAFF,
        user=user,
        parameters=parameters,
    )
