"""A change request's history: one small function per event type, the facts of the event as
keyword arguments, stored as ``ChangeRequestEvent.parameters``.

Nothing else writes a ChangeRequestEvent. The parameters are facts, not sentences: staff's
wording is rendered from them in subscriptions/event_messages.py, in the reader's language. They
may name Partner Center codes, MS-RequestIds and staff's e-mail addresses (staff read them), never
a secret: ``_record`` refuses a parameter whose name says it is one.

Questions about the history are then one ORM filter, e.g. the change requests that met a 429 last
week: ``ChangeRequestEvent.objects.filter(type=ChangeRequestEvent.Type.RETRY_SCHEDULED,
parameters__status=429, created_at__gte=...).values("change_request").distinct().count()``.
"""

from storefront.events import event_parameters_refuse_secrets
from subscriptions.models import ChangeRequest, ChangeRequestEvent, ChangeStatus

Type = ChangeRequestEvent.Type
Actor = ChangeRequestEvent.Actor


def _record(
    *,
    change_request: ChangeRequest,
    type: str,
    parameters: dict | None = None,
    actor: str = Actor.WORKER,
    user=None,
    from_status: str = "",
    to_status: str = "",
) -> ChangeRequestEvent:
    parameters = parameters or {}
    event_parameters_refuse_secrets(parameters, event="a change request event")
    return ChangeRequestEvent.objects.create(
        change_request=change_request,
        type=type,
        parameters=parameters,
        actor=actor,
        actor_user=user,
        from_status=from_status,
        to_status=to_status,
    )


# --- Created ----------------------------------------------------------------------------------


def event_requested(*, change_request: ChangeRequest, user) -> ChangeRequestEvent:
    """The reseller's user asked for the change (what it is: the request's own description)."""
    return _record(
        change_request=change_request,
        type=Type.REQUESTED,
        actor=Actor.RESELLER,
        user=user,
        to_status=ChangeStatus.REQUESTED,
        parameters={"user_email": user.email},
    )


def event_plan_reapplied(*, change_request: ChangeRequest) -> ChangeRequestEvent:
    """Partner Center dropped the renewal plan after a mid-term change; this request sets it
    again (subscriptions.services.renewals)."""
    return _record(
        change_request=change_request,
        type=Type.PLAN_REAPPLIED,
        to_status=ChangeStatus.REQUESTED,
    )


# --- Moves of the state machine (subscriptions.services.status.change_request_set_status) -------


def event_taken(*, change_request: ChangeRequest, from_status: str) -> ChangeRequestEvent:
    """The worker claimed the request and is sending it."""
    return _record(
        change_request=change_request,
        type=Type.TAKEN,
        from_status=from_status,
        to_status=ChangeStatus.SUBMITTED,
    )


def event_confirmed(*, change_request: ChangeRequest, from_status: str) -> ChangeRequestEvent:
    """Partner Center shows the change: the request completed."""
    return _record(
        change_request=change_request,
        type=Type.CONFIRMED,
        from_status=from_status,
        to_status=ChangeStatus.COMPLETED,
    )


def event_failed(
    *, change_request: ChangeRequest, from_status: str, code: str, detail: str
) -> ChangeRequestEvent:
    """The request failed: ``code`` (Partner Center's or one of subscriptions/errors.py) and the
    detail for staff (Partner Center's message, its MS-RequestId)."""
    return _record(
        change_request=change_request,
        type=Type.FAILED,
        from_status=from_status,
        to_status=ChangeStatus.FAILED,
        parameters={"code": code, "detail": detail},
    )


def event_staff_retry(
    *, change_request: ChangeRequest, from_status: str, user, note: str = ""
) -> ChangeRequestEvent:
    """Staff sent a failed request again («Riprova»), with their note if any."""
    return _record(
        change_request=change_request,
        type=Type.STAFF_RETRY,
        actor=Actor.STAFF,
        user=user,
        from_status=from_status,
        to_status=ChangeStatus.SUBMITTED,
        parameters={"user_email": user.email, "note": note},
    )


def event_staff_cancel(
    *, change_request: ChangeRequest, from_status: str, user, note: str = ""
) -> ChangeRequestEvent:
    """Staff closed the request («Annulla»), with their note if any."""
    return _record(
        change_request=change_request,
        type=Type.STAFF_CANCEL,
        actor=Actor.STAFF,
        user=user,
        from_status=from_status,
        to_status=ChangeStatus.CANCELLED,
        parameters={"user_email": user.email, "note": note},
    )


# --- Progress of a submitted request ------------------------------------------------------------


def event_accepted(*, change_request: ChangeRequest, location: str | None) -> ChangeRequestEvent:
    """Partner Center answered 202: it finishes the change later, ``location`` is where to ask
    (the worker polls; the activation timeout counts from this event)."""
    return _record(
        change_request=change_request,
        type=Type.ACCEPTED,
        parameters={"location": location},
    )


def event_transition_started(
    *, change_request: ChangeRequest, operation_id: str
) -> ChangeRequestEvent:
    """An upgrade's transition was posted: ``operation_id`` is followed until it completes (the
    activation timeout counts from this event)."""
    return _record(
        change_request=change_request,
        type=Type.TRANSITION_STARTED,
        parameters={"operation_id": operation_id},
    )


def event_retry_scheduled(
    *,
    change_request: ChangeRequest,
    error: Exception,
    retry_in: float,
    failures: int,
    max_failures: int,
) -> ChangeRequestEvent:
    """A transient error: the request runs again in ``retry_in`` seconds. ``status`` is the HTTP
    status of Partner Center's answer if there was one (429: rate limited), ``error_code`` its
    error code; ``failures`` of ``max_failures`` in a row."""
    return _record(
        change_request=change_request,
        type=Type.RETRY_SCHEDULED,
        parameters={
            "error": type(error).__name__,
            "status": getattr(error, "http_status", None),
            "error_code": getattr(error, "error_code", "") or "",
            "detail": getattr(error, "message", str(error)),
            "retry_in": retry_in,
            "failures": failures,
            "max_failures": max_failures,
        },
    )
