"""The last step: e-mail 1 (new tenants: credentials) and e-mail 2 (subscription summary).

Each goes through the outbox (notifications/), which sends it exactly once even when this step
runs again. The new tenant's password is erased in the very transaction that marks e-mail 1 sent.
"""

from django.utils import timezone

from notifications.models import Email
from notifications.services import (
    EmailBusy,
    EmailPermanentFailure,
    email_deliver,
    email_prepare,
)
from orders.events import event_email_sent
from orders.models import FailureReason, Order
from orders.provisioning.errors import StepFailed
from orders.services.status import Failure


def step_send_emails(order: Order, client=None) -> float | None:
    kinds = [Email.Kind.SUBSCRIPTION_SUMMARY]
    if order.is_new_tenant:
        kinds.insert(0, Email.Kind.CREDENTIALS)
    for kind in kinds:
        email = email_prepare(order=order, kind=kind)
        if email is None or email.status == Email.Status.SENT:
            continue
        on_accepted = _erase_admin_password(order) if kind == Email.Kind.CREDENTIALS else None
        try:
            email_deliver(email_id=email.pk, on_accepted=on_accepted)
        except EmailBusy as exc:
            return exc.retry_in
        except EmailPermanentFailure as exc:
            raise StepFailed(
                Failure(reason=FailureReason.EMAIL_FAILED, code=kind, detail=str(exc))
            ) from exc
        event_email_sent(order=order, kind=kind, recipients=email.recipients)
    return None


def _erase_admin_password(order: Order):
    def erase() -> None:
        Order.objects.filter(pk=order.pk).update(
            admin_password_encrypted="", updated_at=timezone.now()
        )
        order.admin_password_encrypted = ""

    return erase
