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
