"""The e-mails of an order: their content in Italian and English, each sent exactly once, the
password erased when e-mail 1 is accepted, SMTP failures retried or failed visibly, staff alerts.
Reminders of a relationship to accept: test_orders_relationship_reminders.py."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.utils import timezone

from notifications import tasks as notifications_tasks
from notifications.models import Email
from notifications.services import (
    EmailBusy,
    email_deliver,
    email_prepare,
)
from notifications.tasks import email_send_task
from orders.models import FailureReason, Order, OrderStatus
from orders.provisioning import order_provision
from orders.services import Failure, order_set_status
from orders.services.staff import order_retry
from orders.tests.factories import (
    contoso_customer,
    order_ready_for_emails,
    order_user,
    placed_order,
)
from storefront.tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

PASSWORD = "Xyzabc42!Q"


class FailingBackend(LocmemBackend):
    """Refuses the next ``failures`` messages with ``error``, then delivers like locmem."""

    failures = 0
    error: Exception | None = None

    def send_messages(self, messages):
        if FailingBackend.failures:
            FailingBackend.failures -= 1
            raise FailingBackend.error
        return super().send_messages(messages)


@pytest.fixture
def failing_smtp(settings):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    FailingBackend.error = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    yield FailingBackend
    FailingBackend.failures = 0


def body(message, content_type: str = "text/plain") -> str:
    if content_type == "text/plain":
        return message.body
    [(html, _)] = message.alternatives
    return html


def test_email_1_gives_the_new_tenant_credentials_and_then_the_password_is_gone():
    order = order_ready_for_emails(password=PASSWORD)

    assert order_provision(order_id=order.pk) is None

    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert order.admin_password_encrypted == ""
    credentials, summary = mail.outbox
    assert credentials.subject == "Credenziali di accesso · nuovaimpresa2026.onmicrosoft.com"
    for text in (body(credentials), body(credentials, "text/html")):
        assert "nuovaimpresa2026.onmicrosoft.com" in text
        assert "admin@nuovaimpresa2026.onmicrosoft.com" in text
        assert PASSWORD in text
        assert "https://portal.office.com" in text
        assert "Al primo accesso la password deve essere cambiata" in text
    assert credentials.to == [order.user.email, "ordini@rivenditore.example"]
    assert credentials.extra_headers["Message-ID"].startswith("<csp-storefront-email-")
    assert summary.subject == f"Riepilogo della sottoscrizione · ordine {order.number}"
    assert PASSWORD not in body(summary)
    assert list(order.events.values_list("type", flat=True)).count("email_sent") == 2


def test_email_2_summarises_every_subscription_with_prices_and_estimate():
    order = order_ready_for_emails()
    line = order.lines.get()

    order_provision(order_id=order.pk)

    summary = mail.outbox[1]
    for text in (body(summary), body(summary, "text/html")):
        assert order.customer.company_name in text
        assert "nuovaimpresa2026.onmicrosoft.com" in text
        assert "Microsoft 365 Business Standard" in text
        assert "CFQ7TTC0LDPB:0001" in text
        assert "1 anno" in text and "mensile" in text
        assert "5" in text
        assert "5f1b2c3d-0000-4000-8000-000000000002" in text
        assert "29/11/2026" in text
        assert "€\xa0140,40" in text
        assert f"€\xa0{line.estimated_usage}".replace(".", ",") in text
    assert "continua a usare le credenziali" not in body(summary)


def test_an_existing_tenant_gets_only_the_summary_with_the_credentials_reminder():
    user = order_user()
    order = order_ready_for_emails(user=user, customer=contoso_customer(reseller=user.reseller))

    order_provision(order_id=order.pk)

    [summary] = mail.outbox
    assert "il cliente continua a usare le credenziali che ha già" in body(summary)
    assert not Email.objects.filter(order=order, kind=Email.Kind.CREDENTIALS).exists()


def test_emails_are_in_english_for_a_user_who_chose_english():
    order = order_ready_for_emails(user=order_user(language="en"), password=PASSWORD)

    order_provision(order_id=order.pk)

    credentials, summary = mail.outbox
    assert credentials.subject == "Sign-in credentials · nuovaimpresa2026.onmicrosoft.com"
    assert "The password must be changed at the first sign-in" in body(credentials)
    assert summary.subject == f"Subscription summary · order {order.number}"
    assert "€\xa0140.40" in body(summary)


def test_an_email_already_sent_is_never_sent_again():
    order = order_ready_for_emails()
    email = email_prepare(order=order, kind=Email.Kind.SUBSCRIPTION_SUMMARY)
    email_deliver(email_id=email.pk)

    again = email_deliver(email_id=email.pk)

    assert again.status == Email.Status.SENT
    assert len(mail.outbox) == 1
    assert Email.objects.get(pk=email.pk).attempts == 1


def test_an_email_being_sent_by_another_worker_is_left_to_it():
    order = order_ready_for_emails()
    email = email_prepare(order=order, kind=Email.Kind.SUBSCRIPTION_SUMMARY)
    Email.objects.filter(pk=email.pk).update(status=Email.Status.SENDING, claimed_at=timezone.now())

    with pytest.raises(EmailBusy) as busy:
        email_deliver(email_id=email.pk)

    assert 0 < busy.value.retry_in <= 60
    assert mail.outbox == []


def test_a_claim_left_by_a_crashed_worker_is_sent_again_with_the_same_message_id():
    """The documented crash window: accepted by SMTP, the process died before marking it."""
    order = order_ready_for_emails()
    email = email_prepare(order=order, kind=Email.Kind.SUBSCRIPTION_SUMMARY)
    Email.objects.filter(pk=email.pk).update(
        status=Email.Status.SENDING, claimed_at=timezone.now() - timedelta(minutes=5), attempts=1
    )

    email_deliver(email_id=email.pk)

    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == (
        f"<csp-storefront-email-{email.pk}@storefront.local>"
    )
    assert Email.objects.get(pk=email.pk).attempts == 2


def test_smtp_unavailable_keeps_the_password_and_retries_the_email(failing_smtp):
    failing_smtp.failures = 1
    order = order_ready_for_emails(password=PASSWORD)

    wait = order_provision(order_id=order.pk)

    order.refresh_from_db()
    assert wait == 0
    assert order.status == OrderStatus.PROVISIONING
    assert order.admin_password_encrypted != ""
    credentials = Email.objects.get(order=order, kind=Email.Kind.CREDENTIALS)
    assert (credentials.status, credentials.attempts) == (Email.Status.PENDING, 1)
    assert "SMTPServerDisconnected" in credentials.last_error
    assert mail.outbox == []

    assert order_provision(order_id=order.pk) is None

    order.refresh_from_db()
    assert (order.status, order.admin_password_encrypted) == (OrderStatus.ACTIVE, "")
    assert len(mail.outbox) == 2


def test_a_refused_recipient_fails_the_order_as_email_failed_until_staff_retry(
    failing_smtp, pc_sandbox, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_ALERT_EMAILS = []
    failing_smtp.failures = 1
    failing_smtp.error = smtplib.SMTPRecipientsRefused({"x@y.example": (550, b"No such user")})
    order = order_ready_for_emails(password=PASSWORD)

    order_provision(order_id=order.pk)

    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (OrderStatus.FAILED, FailureReason.EMAIL_FAILED)
    assert order.admin_password_encrypted != ""
    assert Email.objects.get(order=order, kind=Email.Kind.CREDENTIALS).status == Email.Status.FAILED
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        order_retry(order_id=order.pk, user=StaffUserFactory())

    order.refresh_from_db()
    assert (order.status, order.admin_password_encrypted) == (OrderStatus.ACTIVE, "")
    assert len(mail.outbox) == 2


def test_credentials_that_cannot_be_read_any_more_fail_the_order_visibly():
    order = order_ready_for_emails()
    Order.objects.filter(pk=order.pk).update(admin_password_encrypted="not-a-fernet-token")

    order_provision(order_id=order.pk)

    order.refresh_from_db()
    assert (order.failure_reason, order.failure_code) == (FailureReason.EMAIL_FAILED, "credentials")
    assert mail.outbox == []


def test_a_queued_email_gives_up_after_its_retries(failing_smtp, settings):
    settings.EMAIL_MAX_RETRIES = 2
    settings.EMAIL_RETRY_BASE_SECONDS = 0
    failing_smtp.failures = 10
    email = email_prepare(order=placed_order(), kind=Email.Kind.STAFF_FAILURE_ALERT, key="event-1")

    email_send_task.delay(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.FAILED, 3)
    assert email.last_error.startswith("tentativi esauriti")
    assert mail.outbox == []


def test_a_temporary_smtp_failure_of_a_queued_email_is_retried(failing_smtp, settings):
    settings.EMAIL_RETRY_BASE_SECONDS = 0
    failing_smtp.failures = 1
    email = email_prepare(order=placed_order(), kind=Email.Kind.STAFF_FAILURE_ALERT, key="event-1")

    email_send_task.delay(email.pk)

    email.refresh_from_db()
    assert (email.status, email.attempts) == (Email.Status.SENT, 2)
    assert mail.outbox[0].to == ["staff@storefront.local"]


def test_an_in_process_email_retry_stops_within_its_time_budget(
    failing_smtp, settings, monkeypatch
):
    # Given SMTP failing for good and the production backoff (30 s, doubling, 8 retries)
    settings.EMAIL_MAX_RETRIES = 8
    settings.EMAIL_RETRY_BASE_SECONDS = 30
    failing_smtp.failures = 100
    clock = {"now": 1000.0}
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        clock["now"] += seconds

    monkeypatch.setattr(notifications_tasks.time, "sleep", sleep)
    monkeypatch.setattr(notifications_tasks.time, "monotonic", lambda: clock["now"])
    email = email_prepare(order=placed_order(), kind=Email.Kind.STAFF_FAILURE_ALERT, key="event-1")

    # When the task runs in-process
    email_send_task.delay(email.pk)

    # Then it waited at most the budget and left the e-mail pending, not sent nor given up
    email.refresh_from_db()
    assert slept == [30]
    assert sum(slept) <= notifications_tasks.EAGER_MAX_TOTAL_SECONDS
    assert (email.status, email.attempts) == (Email.Status.PENDING, 2)
    assert mail.outbox == []


def test_a_staff_retry_resets_only_the_emails_provisioning_sends_again(
    django_capture_on_commit_callbacks,
):
    # Given a failed order whose summary, staff alert and reminder e-mails all failed
    order = placed_order()
    for status in (OrderStatus.PROVISIONING, OrderStatus.FAILED):
        order_set_status(
            order_id=order.pk,
            to_status=status,
            actor="worker",
            failure=Failure(reason=FailureReason.EMAIL_FAILED, code="subscription_summary"),
        )
    Email.objects.filter(order=order).delete()  # the alert queued by the failure: made below
    for kind, key in (
        (Email.Kind.SUBSCRIPTION_SUMMARY, ""),
        (Email.Kind.STAFF_FAILURE_ALERT, "event-1"),
        (Email.Kind.RELATIONSHIP_REMINDER, "2026-01-05"),
    ):
        Email.objects.create(
            order=order,
            kind=kind,
            key=key,
            recipients=["a@b.example"],
            status=Email.Status.FAILED,
            last_error="550 refused",
        )

    # When staff retry the order
    with django_capture_on_commit_callbacks():
        order_retry(order_id=order.pk, user=StaffUserFactory())

    # Then only the summary may be sent again; the others stay failed with their error
    assert dict(Email.objects.filter(order=order).values_list("kind", "status")) == {
        Email.Kind.SUBSCRIPTION_SUMMARY: Email.Status.PENDING,
        Email.Kind.STAFF_FAILURE_ALERT: Email.Status.FAILED,
        Email.Kind.RELATIONSHIP_REMINDER: Email.Status.FAILED,
    }
    assert set(
        Email.objects.filter(order=order, status=Email.Status.FAILED).values_list(
            "last_error", flat=True
        )
    ) == {"550 refused"}


def test_no_staff_alert_without_staff_addresses(settings):
    settings.STAFF_ALERT_EMAILS = []

    assert email_prepare(order=placed_order(), kind=Email.Kind.STAFF_FAILURE_ALERT) is None

    assert Email.objects.count() == 0
