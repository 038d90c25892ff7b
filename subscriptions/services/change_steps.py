"""The steps a change request's run shares with renewal plans and upgrades: save progress, read
the subscription into the mirror, PATCH it under an MS-RequestId stored first, wait for a 202,
and end the request (completed or failed, the reseller e-mailed once).
"""

import logging
import uuid
from functools import partial

from django.utils import timezone

from notifications.models import Email
from notifications.services import email_enqueue
from orders import conf as retry_conf
from partnercenter import resources as pc
from partnercenter.client import PartnerCenterClient
from partnercenter.errors import PartnerCenterError
from subscriptions import errors, events
from subscriptions.errors import ChangeRefused, ChangeTransitionError
from subscriptions.models import (
    OPEN_CHANGE_STATUSES,
    ChangeRequest,
    ChangeStatus,
    ReminderKind,
    Subscription,
)
from subscriptions.services import renewals
from subscriptions.services.mirror import subscription_apply_remote
from subscriptions.services.reminders import user_wants
from subscriptions.services.status import change_request_set_status

logger = logging.getLogger(__name__)


def _record(change: ChangeRequest, **fields) -> None:
    """Save progress if the request is still open (a staff cancel wins)."""
    fields["updated_at"] = timezone.now()
    ChangeRequest.objects.filter(pk=change.pk, status__in=OPEN_CHANGE_STATUSES).update(**fields)
    for name, value in fields.items():
        setattr(change, name, value)


def _read(
    client: PartnerCenterClient, subscription: Subscription, *, ours_in_flight: bool
) -> pc.Subscription:
    """Read the subscription into the mirror; a difference is someone else's change (the
    timeline says so) unless ours may have just landed."""
    remote = client.get_subscription(
        subscription.partner_center_customer_id, subscription.partner_center_id
    )
    subscription_apply_remote(
        subscription=subscription, remote=remote, record_change=not ours_in_flight
    )
    return remote


def _poll_accepted(change: ChangeRequest) -> float:
    """Wait for a 202's change to show; past the activation timeout (orders' setting), the
    request fails visibly for staff instead of polling for ever."""
    accepted = (
        change.events.filter(type=events.Type.ACCEPTED)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if accepted is not None and timezone.now() - accepted > retry_conf.activation_timeout():
        raise ChangeRefused(errors.PARTNER_CENTER_UNAVAILABLE, "202 accepted, never completed")
    return retry_conf.poll_seconds()


def _patch(
    change, client, subscription: Subscription, remote, changes: dict, *, complete: bool = True
) -> float | None:
    """One PATCH with the MS-RequestId stored first; None when it is done (the request then
    completed if it was the base's, unless ``complete`` is off), the seconds to wait after a
    202."""
    request_id = _request_id_for(change, remote.id)
    try:
        update = client.update_subscription(
            request_id=request_id,
            customer_id=subscription.partner_center_customer_id,
            subscription=remote,
            changes=changes,
        )
    except PartnerCenterError as exc:
        if not exc.outcome_unknown:
            _record(change, ms_request_id="", request_target_id="")
        raise
    is_base = subscription.pk == change.subscription_id
    if update.is_accepted_for_later:
        _record(
            change,
            ms_request_id="",
            request_target_id=remote.id,
            accepted_location=update.location or "-",
        )
        events.event_accepted(change_request=change, location=update.location)
        return retry_conf.poll_seconds()
    subscription_apply_remote(
        subscription=subscription, remote=update.subscription, record_change=False
    )
    _record(change, ms_request_id="", request_target_id="")
    if is_base and complete:
        _complete(change)
    return None


def _request_id_for(change: ChangeRequest, target_id: str) -> str:
    """The MS-RequestId kept from an attempt whose outcome is unknown (same target), else a new
    one, stored before it is sent."""
    if change.ms_request_id and change.request_target_id == target_id:
        return change.ms_request_id
    request_id = str(uuid.uuid4())
    _record(change, ms_request_id=request_id, request_target_id=target_id)
    return request_id


def _complete(change: ChangeRequest) -> None:
    try:
        change_request_set_status(
            change_request_id=change.pk,
            to_status=ChangeStatus.COMPLETED,
            event=events.event_confirmed,
            changes={"transient_failures": 0, "accepted_location": "", "ms_request_id": ""},
            expected_from=frozenset({ChangeStatus.SUBMITTED}),
        )
    except ChangeTransitionError:
        return
    _email(change, Email.Kind.CHANGE_COMPLETED)
    renewals.renewal_plan_after_change(change)


def _fail(change: ChangeRequest, code: str, detail: str) -> None:
    logger.warning("change request %s failed: %s %s", change.pk, code, detail)
    try:
        change_request_set_status(
            change_request_id=change.pk,
            to_status=ChangeStatus.FAILED,
            event=partial(events.event_failed, code=code, detail=detail),
            changes={"failure_code": code[:32], "failure_detail": detail, "ms_request_id": ""},
            expected_from=frozenset(OPEN_CHANGE_STATUSES),
        )
    except ChangeTransitionError:
        return
    _email(change, Email.Kind.CHANGE_FAILED)


def _email(change: ChangeRequest, kind: str) -> None:
    if kind == Email.Kind.CHANGE_FAILED and not user_wants(
        user=change.user, kind=ReminderKind.CHANGE_FAILED
    ):
        return  # turned off in the profile
    email_enqueue(
        order=change.subscription.order, kind=kind, key=f"change-{change.pk}", user=change.user
    )
