"""The content of an order's e-mails (credentials, summary, relationship reminder, staff alerts).

Registered with the outbox (notifications.rendering.email_context_register) in OrdersConfig.ready:
the outbox is the sending mechanism only and never imports this app. Templates live in
templates/notifications/email/<language>/<kind>*.
"""

from notifications.models import Email
from notifications.rendering import EmailRenderError
from orders.selectors import order_email_context
from storefront.crypto import DecryptionError, decrypt_text

ORDER_EMAIL_KINDS = (
    Email.Kind.CREDENTIALS,
    Email.Kind.SUBSCRIPTION_SUMMARY,
    Email.Kind.RELATIONSHIP_REMINDER,
    Email.Kind.STAFF_FAILURE_ALERT,
    Email.Kind.STAFF_PASSWORD_RESET,
)


def order_email_context_for(email: Email) -> dict:
    context = order_email_context(order_id=email.order_id)
    if email.kind == Email.Kind.CREDENTIALS:
        context["admin_password"] = _admin_password(context["order"])
    return context


def _admin_password(order) -> str:
    """Decrypted only here, only while e-mail 1 is rendered; never logged or stored in clear."""
    if not order.admin_password_encrypted:
        raise EmailRenderError("the new tenant's password is no longer stored")
    try:
        return decrypt_text(order.admin_password_encrypted)
    except DecryptionError as exc:
        raise EmailRenderError(str(exc)) from exc
