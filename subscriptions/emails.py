"""The e-mails of a change request (completed, failed): their context for the outbox.

Registered with notifications.rendering in SubscriptionsConfig.ready; templates in
templates/notifications/email/<language>/change_{completed,failed}*.
"""

from django.conf import settings

from notifications.models import Email
from subscriptions.errors import change_failure_message
from subscriptions.models import ChangeRequest

CHANGE_EMAIL_KINDS = (Email.Kind.CHANGE_COMPLETED, Email.Kind.CHANGE_FAILED)


def change_email_context(email: Email) -> dict:
    change_request_id = int(email.key.removeprefix("change-"))
    change = ChangeRequest.objects.select_related(
        "subscription__customer", "subscription__reseller", "user"
    ).get(pk=change_request_id)
    subscription = change.subscription
    return {
        "change": change,
        "subscription": subscription,
        "customer": subscription.customer,
        "support_email": settings.SUPPORT_EMAIL,
        "failure_message": change_failure_message(change.failure_code)
        if change.failure_code
        else "",
    }


REMINDER_EMAIL_KINDS = (
    Email.Kind.WINDOW_REMINDER,
    Email.Kind.RENEWAL_REMINDER,
    Email.Kind.RENEWED,
)


def reminder_email_context(email: Email) -> dict:
    """A reminder's facts: the subscription, the event, the plan for the next term and its price
    at today's list price, and the link to change the plan."""
    from django.urls import reverse

    from subscriptions.models import Reminder
    from subscriptions.renewal_selectors import next_term_view

    reminder_id = int(email.key.removeprefix("reminder-"))
    reminder = Reminder.objects.select_related(
        "subscription__customer", "subscription__reseller", "user"
    ).get(pk=reminder_id)
    subscription = reminder.subscription
    detail = reverse("subscriptions:subscription_detail", kwargs={"pk": subscription.pk})
    return {
        "reminder": reminder,
        "user": reminder.user,
        "subscription": subscription,
        "customer": subscription.customer,
        "plan": next_term_view(
            subscription=subscription, next_term=subscription.scheduled_next_term
        ),
        "days_left": {"renewal_30": 30, "renewal_7": 7, "renewal_1": 1}.get(reminder.kind),
        "plan_url": f"{settings.SITE_URL}{detail}#rinnovo",
        "subscription_url": f"{settings.SITE_URL}{detail}",
        "support_email": settings.SUPPORT_EMAIL,
    }
