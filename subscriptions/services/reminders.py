"""Reminders the storefront sends because Microsoft does not: a cancellation window closing in
24 hours (after a purchase, a renewal or added seats), a renewal in 30, 7 and 1 days, a renewal
done (its new window open until when). A change request that failed is e-mailed by the change
itself (services/change_steps.py), under the same profile switch.

``reminders_send`` is the periodic task's body, driven by the mirror: for each event due now and
each reseller user who has not turned the kind off, one ``Reminder`` row (unique per
subscription, kind, event day and user) is created in the same transaction as its outbox e-mail.
However often the task runs, and wherever a worker dies, a reminder exists once and its e-mail
is sent once; e-mails a dead worker left pending are enqueued again on the next run.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from notifications.models import Email
from notifications.services import email_enqueue
from storefront.dates import rome_today
from storefront.models import User
from subscriptions.models import (
    Reminder,
    ReminderKind,
    ReminderOptOut,
    Subscription,
    SubscriptionEvent,
)

logger = logging.getLogger(__name__)

WINDOW_NOTICE = timedelta(hours=24)
RENEWAL_NOTICES = (
    (1, Reminder.Kind.RENEWAL_1),
    (7, Reminder.Kind.RENEWAL_7),
    (30, Reminder.Kind.RENEWAL_30),
)
EMAIL_KINDS: dict[str, Email.Kind] = {
    Reminder.Kind.WINDOW_CLOSING: Email.Kind.WINDOW_REMINDER,
    Reminder.Kind.RENEWAL_30: Email.Kind.RENEWAL_REMINDER,
    Reminder.Kind.RENEWAL_7: Email.Kind.RENEWAL_REMINDER,
    Reminder.Kind.RENEWAL_1: Email.Kind.RENEWAL_REMINDER,
    Reminder.Kind.RENEWED: Email.Kind.RENEWED,
}
PROFILE_KINDS: dict[str, ReminderKind] = {
    Reminder.Kind.WINDOW_CLOSING: ReminderKind.WINDOW_CLOSING,
    Reminder.Kind.RENEWAL_30: ReminderKind.RENEWAL_UPCOMING,
    Reminder.Kind.RENEWAL_7: ReminderKind.RENEWAL_UPCOMING,
    Reminder.Kind.RENEWAL_1: ReminderKind.RENEWAL_UPCOMING,
    Reminder.Kind.RENEWED: ReminderKind.RENEWED,
}
REMINDER_KEY_PREFIX = "reminder-"


@dataclass(frozen=True)
class DueReminder:
    subscription: Subscription
    kind: str
    event_at: datetime


def reminders_send(*, now: datetime | None = None) -> int:
    """Create and enqueue every reminder due at ``now``; how many were new."""
    now = now or timezone.now()
    due = [*_window_closing(now), *_renewal_upcoming(now), *_renewed(now)]
    recipients = _recipients({item.subscription.reseller_id for item in due})
    created = 0
    for item in due:
        for user in recipients.get(item.subscription.reseller_id, ()):
            if PROFILE_KINDS[item.kind] not in user.turned_off:
                created += _remind(item, user)
    _enqueue_left_pending()
    return created


def user_wants(*, user, kind: str) -> bool:
    """Whether the user keeps this kind of reminder (ReminderKind) on."""
    return not ReminderOptOut.objects.filter(user=user, kind=kind).exists()


def reminder_preferences_set(*, user, turned_off: set[str]) -> None:
    """Keep the user's switches: the kinds in ``turned_off`` are not sent to this user."""
    with transaction.atomic():
        ReminderOptOut.objects.filter(user=user).exclude(kind__in=turned_off).delete()
        for kind in turned_off:
            ReminderOptOut.objects.get_or_create(user=user, kind=kind)


def _live() -> QuerySet[Subscription]:
    return Subscription.objects.filter(
        status__in=(Subscription.Status.ACTIVE, Subscription.Status.SUSPENDED),
        vanished_at=None,
    ).select_related("order", "reseller")


def _window_closing(now: datetime) -> list[DueReminder]:
    """The soonest deadline within 24 hours: the cancellation window or a bucket of seats
    (purchase, renewal, added seats)."""
    horizon = now + WINDOW_NOTICE
    candidates = _live().filter(
        Q(cancellation_allowed_until__gt=now, cancellation_allowed_until__lte=horizon)
        | Q(refundable_quantity__gt=0)
    )
    due = []
    for subscription in candidates:
        deadlines = [
            until
            for until in (
                subscription.cancellation_allowed_until,
                *(parse_datetime(str(b.get("until", ""))) for b in subscription.refund_buckets),
            )
            if until is not None and now < until <= horizon
        ]
        if deadlines:
            due.append(DueReminder(subscription, Reminder.Kind.WINDOW_CLOSING, min(deadlines)))
    return due


def _renewal_upcoming(now: datetime) -> list[DueReminder]:
    """Active, auto-renew on, renewing within 30 days: the nearest notice not yet passed (30, 7
    or 1 day), so a late first run sends the one that still makes sense."""
    renewing = _live().filter(
        status=Subscription.Status.ACTIVE,
        auto_renew_enabled=True,
        commitment_end__gt=now,
        commitment_end__lte=now + timedelta(days=RENEWAL_NOTICES[-1][0]),
    )
    due = []
    for subscription in renewing:
        assert subscription.commitment_end is not None, "filtered on commitment_end__gt"
        days_left = subscription.commitment_end - now
        kind = next(kind for days, kind in RENEWAL_NOTICES if days_left <= timedelta(days=days))
        due.append(DueReminder(subscription, kind, subscription.commitment_end))
    return due


def _renewed(now: datetime) -> list[DueReminder]:
    """Renewed, its new window still open (a window open after a renewal event is the
    renewal's: the purchase's closed before any renewal)."""
    renewals = SubscriptionEvent.objects.filter(
        subscription=OuterRef("pk"), kind=SubscriptionEvent.Kind.RENEWED
    )
    renewed = _live().filter(Exists(renewals), cancellation_allowed_until__gt=now)
    return [
        DueReminder(subscription, Reminder.Kind.RENEWED, subscription.cancellation_allowed_until)
        for subscription in renewed
        if subscription.cancellation_allowed_until is not None  # always (filter above); for mypy
    ]


def _recipients(reseller_ids: set[int]) -> dict[int, list]:
    """Each reseller's active users, each with the kinds it turned off: two queries."""
    users = list(User.objects.filter(reseller_id__in=reseller_ids, is_active=True).order_by("pk"))
    turned_off: dict[int, set[str]] = {}
    for user_id, kind in ReminderOptOut.objects.filter(user__in=users).values_list(
        "user_id", "kind"
    ):
        turned_off.setdefault(user_id, set()).add(kind)
    by_reseller: dict[int, list] = {}
    for user in users:
        user.turned_off = turned_off.get(user.pk, set())
        by_reseller.setdefault(user.reseller_id, []).append(user)
    return by_reseller


def _event_day(item: DueReminder):
    if item.kind == Reminder.Kind.RENEWED:
        return rome_today(now=item.subscription.started_at or item.event_at)
    return rome_today(now=item.event_at)


def _remind(item: DueReminder, user) -> int:
    """The reminder row and its e-mail in one transaction: both or neither."""
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(
            subscription=item.subscription,
            kind=item.kind,
            event_date=_event_day(item),
            user=user,
            defaults={"event_at": item.event_at},
        )
        if not created:
            return 0
        email = email_enqueue(
            order=item.subscription.order,
            kind=EMAIL_KINDS[item.kind],
            key=f"{REMINDER_KEY_PREFIX}{reminder.pk}",
            user=user,
        )
        if email is not None:
            # One e-mail per user: the reseller's notification address is not copied on each.
            Email.objects.filter(pk=email.pk).update(recipients=[user.email])
    logger.info(
        "reminder %s (%s) for subscription %s", reminder.pk, item.kind, item.subscription.pk
    )
    return 1


def _enqueue_left_pending() -> None:
    """Reminder e-mails still pending, or claimed by a sender that died (its claim expired):
    send them now; delivery claims each row, so a second enqueue never sends twice."""
    from notifications.services import claim_seconds
    from notifications.tasks import email_send_task

    stale_claim = timezone.now() - timedelta(seconds=claim_seconds())
    pending = Email.objects.filter(
        Q(status=Email.Status.PENDING) | Q(status=Email.Status.SENDING, claimed_at__lt=stale_claim),
        kind__in=set(EMAIL_KINDS.values()),
        key__startswith=REMINDER_KEY_PREFIX,
    ).values_list("pk", flat=True)
    for email_id in pending:
        transaction.on_commit(partial(email_send_task.delay, email_id), robust=True)
