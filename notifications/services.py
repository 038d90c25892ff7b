"""Queueing and delivering the outbox e-mails, each exactly once per order and kind.

Delivery claims the row (pending → sending) in a short transaction, renders and talks to SMTP
outside any transaction, then marks the row sent. A retry of a sent row does nothing; a row
another process is sending right now is left to it (EmailBusy).

The one crash window: the SMTP server accepted the message and the process died before the row was
marked sent. The row then stays *sending*; once its claim is older than ``claim_seconds()`` the
next attempt sends it again, with the same Message-ID. We chose that rare duplicate over losing
the e-mail — it may be the only copy of a new tenant's credentials (whose password is erased
only in the transaction that marks e-mail 1 sent, never before). Every other failure is known
not to have been accepted: the row goes back to *pending* (retry) or to *failed* (refused for good).
"""

import logging
import smtplib
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.models import Email
from notifications.rendering import EmailRenderError, render_email

logger = logging.getLogger(__name__)

CUSTOMER_KINDS = frozenset(
    {
        Email.Kind.CREDENTIALS,
        Email.Kind.SUBSCRIPTION_SUMMARY,
        Email.Kind.RELATIONSHIP_REMINDER,
        Email.Kind.CHANGE_COMPLETED,
        Email.Kind.CHANGE_FAILED,
        Email.Kind.WINDOW_REMINDER,
        Email.Kind.RENEWAL_REMINDER,
        Email.Kind.RENEWED,
    }
)


class EmailDeliveryError(Exception):
    pass


class EmailBusy(EmailDeliveryError):
    """Another process claimed this e-mail moments ago; look again in ``retry_in`` seconds."""

    def __init__(self, message: str, *, retry_in: float) -> None:
        super().__init__(message)
        self.retry_in = retry_in


class EmailTemporaryFailure(EmailDeliveryError):
    """The SMTP server did not accept the message this time (unreachable, 4xx): retry."""


class EmailPermanentFailure(EmailDeliveryError):
    """The message cannot be sent (5xx refusal, nothing to render) until someone fixes it."""


def claim_seconds() -> float:
    """How long a *sending* claim protects a delivery in progress (connect + send timeouts)."""
    return 3 * float(settings.EMAIL_TIMEOUT or 20)


def email_recipients(*, order, kind: str, user=None) -> list[str]:
    """Staff for alerts; else ``user`` (default: who placed the order) and the reseller's
    notification address."""
    if kind not in CUSTOMER_KINDS:
        return list(settings.STAFF_ALERT_EMAILS)
    user = user or order.user
    recipients = [user.email]
    copy_to = order.reseller.notification_email
    if copy_to and copy_to.lower() != user.email.lower():
        recipients.append(copy_to)
    return recipients


def email_prepare(*, order, kind: str, key: str = "", user=None) -> Email | None:
    """The outbox row of this e-mail, created on first use; None when nobody is to receive it.
    ``user``: the reseller user it is for, when not the one who placed the order."""
    user = user or order.user
    recipients = email_recipients(order=order, kind=kind, user=user)
    if not recipients:
        logger.warning("order %s: no recipient for the %s e-mail", order.pk, kind)
        return None
    email, _ = Email.objects.get_or_create(
        order=order,
        kind=kind,
        key=key,
        defaults={
            "recipients": recipients,
            "language": user.language if kind in CUSTOMER_KINDS else "it",
        },
    )
    return email


def email_enqueue(*, order, kind: str, key: str = "", user=None) -> Email | None:
    """Prepare the e-mail and have a worker send it once this transaction commits."""
    from notifications.tasks import email_send_task

    email = email_prepare(order=order, kind=kind, key=key, user=user)
    if email is not None and email.status == Email.Status.PENDING:
        transaction.on_commit(lambda: email_send_task.delay(email.pk), robust=True)
    return email


def email_deliver(*, email_id: int, on_accepted: Callable[[], None] | None = None) -> Email:
    """Send the e-mail unless it was sent already; ``on_accepted`` runs in the same transaction
    that marks it sent (e-mail 1 erases the password there).

    Raises EmailBusy, EmailTemporaryFailure or EmailPermanentFailure (the row then says why).
    """
    email = _claim(email_id)
    if email.status == Email.Status.SENT:
        return email
    try:
        message = render_email(email)
        message.send(fail_silently=False)
    except EmailRenderError as exc:
        _release(email, Email.Status.FAILED, str(exc))
        raise EmailPermanentFailure(str(exc)) from exc
    except (smtplib.SMTPException, OSError) as exc:
        is_permanent = _is_permanent_refusal(exc)
        error = f"{type(exc).__name__}: {exc}"[:1000]
        _release(email, Email.Status.FAILED if is_permanent else Email.Status.PENDING, error)
        failure_class = EmailPermanentFailure if is_permanent else EmailTemporaryFailure
        raise failure_class(error) from exc
    with transaction.atomic():
        email.status = Email.Status.SENT
        email.sent_at = timezone.now()
        email.subject = message.subject[:255]
        email.claimed_at = None
        email.last_error = ""
        email.save(update_fields=["status", "sent_at", "subject", "claimed_at", "last_error"])
        if on_accepted is not None:
            on_accepted()
    logger.info("e-mail %s (%s) of order %s sent", email.pk, email.kind, email.order_id)
    return email


def _claim(email_id: int) -> Email:
    with transaction.atomic():
        email = Email.objects.select_for_update().get(pk=email_id)
        if email.status == Email.Status.SENT:
            return email
        if email.status == Email.Status.FAILED:
            raise EmailPermanentFailure(email.last_error or "e-mail marked failed")
        now = timezone.now()
        if email.status == Email.Status.SENDING and email.claimed_at is not None:
            age = (now - email.claimed_at).total_seconds()
            if age < claim_seconds():
                raise EmailBusy(f"e-mail {email.pk} is being sent", retry_in=claim_seconds() - age)
            logger.warning(
                "e-mail %s: claim of %.0f s ago never finished, sending again", email.pk, age
            )
        email.status = Email.Status.SENDING
        email.claimed_at = now
        email.attempts += 1
        email.save(update_fields=["status", "claimed_at", "attempts"])
    return email


def _release(email: Email, status: str, error: str) -> None:
    Email.objects.filter(pk=email.pk, status=Email.Status.SENDING).update(
        status=status, claimed_at=None, last_error=error
    )
    email.status = status
    logger.warning(
        "e-mail %s (%s) of order %s not sent: %s", email.pk, email.kind, email.order_id, error
    )


def _is_permanent_refusal(exc: Exception) -> bool:
    """5xx answers are refusals for good; 4xx, disconnections and network errors pass."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code >= 500
    return False


def email_send_attempt(*, email_id: int, attempt: int) -> float | None:
    """One attempt of a queued e-mail: None when done (sent, or failed for good), else the
    seconds after which to try again; gives up after EMAIL_MAX_RETRIES temporary failures."""
    try:
        email_deliver(email_id=email_id)
    except EmailBusy as exc:
        return exc.retry_in
    except EmailPermanentFailure:
        return None  # the row is failed and says why; staff see it in the admin
    except EmailTemporaryFailure as exc:
        if attempt >= max_send_retries():
            email_mark_failed(email_id=email_id, error=f"tentativi esauriti: {exc}")
            return None
        return min(retry_base_seconds() * 2**attempt, 3600)
    return None


def max_send_retries() -> int:
    return settings.EMAIL_MAX_RETRIES


def retry_base_seconds() -> float:
    return float(settings.EMAIL_RETRY_BASE_SECONDS)


def email_mark_failed(*, email_id: int, error: str) -> None:
    """Give up on an e-mail whose retries are exhausted."""
    Email.objects.filter(pk=email_id).exclude(status=Email.Status.SENT).update(
        status=Email.Status.FAILED, claimed_at=None, last_error=error[:1000]
    )


# What provisioning sends again when staff retry the order (its last step, step_send_emails).
PROVISIONING_KINDS = frozenset({Email.Kind.CREDENTIALS, Email.Kind.SUBSCRIPTION_SUMMARY})


def email_reset_failed(*, order_id: int) -> int:
    """Staff retry an order: its failed credentials and summary e-mails may be sent again by
    provisioning. Returns how many.

    Staff alerts and reminders stay failed: nothing would send them again, and a row marked
    pending would claim an e-mail on its way that is not.
    """
    return Email.objects.filter(
        order_id=order_id, kind__in=PROVISIONING_KINDS, status=Email.Status.FAILED
    ).update(status=Email.Status.PENDING, last_error="")
