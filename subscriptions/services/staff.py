"""Staff's actions on change requests (the admin), through the same state machine."""

from functools import partial

from django.utils import timezone

from subscriptions import errors, events
from subscriptions.models import OPEN_CHANGE_STATUSES, ChangeRequest, ChangeStatus
from subscriptions.services.status import change_request_enqueue, change_request_set_status


def change_request_retry(*, change_request_id: int, staff_user, note: str = "") -> ChangeRequest:
    """Send a failed request again (a new MS-RequestId: the failure was a definite answer).

    An upgrade whose transition Partner Center reported Failed starts a new one; any other
    failed upgrade keeps following its transition, which may still complete: posting another
    would move the seats twice."""
    # Due now: should its message be lost (broker down at commit), the sweep finds it.
    changes = {"ms_request_id": "", "accepted_location": "", "attention_due_at": timezone.now()}
    failed = ChangeRequest.objects.filter(pk=change_request_id).values("failure_code").first()
    if failed and failed["failure_code"] == errors.UPGRADE_FAILED:
        changes["transition_operation_id"] = ""
    change = change_request_set_status(
        change_request_id=change_request_id,
        to_status=ChangeStatus.SUBMITTED,
        event=partial(events.event_staff_retry, user=staff_user, note=note),
        changes=changes,
        expected_from=frozenset({ChangeStatus.FAILED}),
    )
    change_request_enqueue(change_request_id=change.pk)
    return change


def change_request_cancel(*, change_request_id: int, staff_user, note: str = "") -> ChangeRequest:
    """Close a request that must not run (or be retried); a PATCH already sent is not undone."""
    return change_request_set_status(
        change_request_id=change_request_id,
        to_status=ChangeStatus.CANCELLED,
        event=partial(events.event_staff_cancel, user=staff_user, note=note),
        changes={"failure_code": errors.CANCELLED_BY_STAFF},
        expected_from=frozenset({*OPEN_CHANGE_STATUSES, ChangeStatus.FAILED}),
    )
