"""The change request's state machine: the transitions allowed written out, every other refused
with nothing changed."""

import itertools
import uuid
from functools import partial

import pytest

from storefront.tests.factories import StaffUserFactory
from subscriptions import events
from subscriptions.errors import ChangeTransitionError
from subscriptions.models import ChangeRequest, ChangeStatus
from subscriptions.services.status import change_request_set_status
from subscriptions.tests.factories import mirrored_subscription

pytestmark = pytest.mark.django_db

# Written out, not read from CHANGE_TRANSITIONS: a change to the table must change this too.
ALLOWED_TRANSITIONS = {
    ("requested", "submitted"),
    ("requested", "failed"),
    ("requested", "cancelled"),
    ("submitted", "completed"),
    ("submitted", "failed"),
    ("submitted", "cancelled"),
    ("failed", "submitted"),  # staff «Riprova»
    ("failed", "cancelled"),
}


def event_of(from_status: str, to_status: str):
    """The event the services record for this move (staff's for a cancel or a retry)."""
    if to_status == "cancelled":
        return partial(events.event_staff_cancel, user=StaffUserFactory(), note="doppia")
    if to_status == "submitted":
        if from_status == "failed":
            return partial(events.event_staff_retry, user=StaffUserFactory())
        return events.event_taken
    if to_status == "failed":
        return partial(events.event_failed, code="800090", detail="x")
    return events.event_confirmed


def change_in(status: str) -> ChangeRequest:
    subscription = mirrored_subscription()
    return ChangeRequest.objects.create(
        subscription=subscription,
        user=subscription.order.user,
        kind=ChangeRequest.Kind.ADD_SEATS,
        seats=1,
        idempotency_key=uuid.uuid4(),
        status=status,
    )


@pytest.mark.parametrize(
    ("from_status", "to_status"), list(itertools.product(ChangeStatus.values, repeat=2))
)
def test_only_the_transitions_of_the_table_are_allowed(from_status, to_status):
    change = change_in(from_status)

    if (from_status, to_status) not in ALLOWED_TRANSITIONS:
        with pytest.raises(ChangeTransitionError):
            change_request_set_status(
                change_request_id=change.pk,
                to_status=to_status,
                event=event_of(from_status, to_status),
            )
        change.refresh_from_db()
        assert change.status == from_status
        assert change.events.count() == 0
        return

    change_request_set_status(
        change_request_id=change.pk, to_status=to_status, event=event_of(from_status, to_status)
    )
    change.refresh_from_db()
    assert change.status == to_status
    event = change.events.get()
    assert (event.from_status, event.to_status) == (from_status, to_status)


def test_an_event_that_records_another_move_changes_nothing():
    change = change_in("submitted")

    with pytest.raises(ValueError, match="taken records a move to submitted"):
        change_request_set_status(
            change_request_id=change.pk, to_status="completed", event=events.event_taken
        )

    change.refresh_from_db()
    assert (change.status, change.events.count()) == ("submitted", 0)
