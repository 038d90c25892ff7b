"""The local mirror of Partner Center subscriptions this storefront sold, and the changes to them.

``Subscription`` holds what Partner Center last reported (pages read it, never Partner Center);
it is filled when an order activates and refreshed by the sync, after every change and by
«Aggiorna». ``ChangeRequest`` is one change the reseller asked for (add or remove seats, cancel,
auto-renew): its own state machine (``CHANGE_TRANSITIONS``, applied only by
``subscriptions.services.status.change_request_set_status``), an event row per transition, the
idempotency key of the form and the MS-RequestId stored before each PATCH.
"""

from subscriptions.models.changes import (
    CHANGE_TRANSITIONS,
    FINAL_CHANGE_STATUSES,
    OPEN_CHANGE_STATUSES,
    ChangeRequest,
    ChangeRequestEvent,
    ChangeStatus,
)
from subscriptions.models.mirror import (
    BILLING_LABELS,
    RENEWAL_EVENT_KINDS,
    STATUS_BADGE_CLASSES,
    SYNC_FIELD_LABELS,
    TERM_LABELS,
    Subscription,
    SubscriptionEvent,
    UnsoldSubscription,
    next_term_label,
)
from subscriptions.models.renewals import Reminder, ReminderKind, ReminderOptOut, RenewalPlan

__all__ = [
    "BILLING_LABELS",
    "CHANGE_TRANSITIONS",
    "FINAL_CHANGE_STATUSES",
    "OPEN_CHANGE_STATUSES",
    "RENEWAL_EVENT_KINDS",
    "STATUS_BADGE_CLASSES",
    "SYNC_FIELD_LABELS",
    "TERM_LABELS",
    "ChangeRequest",
    "ChangeRequestEvent",
    "ChangeStatus",
    "Reminder",
    "ReminderKind",
    "ReminderOptOut",
    "RenewalPlan",
    "Subscription",
    "SubscriptionEvent",
    "UnsoldSubscription",
    "next_term_label",
]
