"""Reminders sent by real Celery workers on Redis and PostgreSQL to a real SMTP server: the
periodic task run many times, a worker killed while it runs, another taking over; each reminder
reaches each user exactly once (issue 14, acceptance 3)."""

import time
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from notifications.models import Email
from orders.tests.factories import placed_order
from storefront.celery import app as celery_app
from storefront.tests.factories import UserFactory
from subscriptions.models import Reminder
from subscriptions.tasks import reminders_send_task
from subscriptions.tests.factories import mirrored_subscription

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

VISIBILITY_TIMEOUT = 5


def wait_until(condition, *, timeout: float = 90, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"still waiting after {timeout} s: {what}")


def test_each_reminder_reaches_each_user_once_through_many_runs_and_a_killed_worker(
    celery_workers, smtp
):
    env = {
        "EMAIL_URL": smtp.url,
        "EMAIL_TIMEOUT": "2",  # a claim left by the killed worker expires in 6 s
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
    }
    celery_workers.extra_env.update(env)
    now = timezone.now()
    first_order = placed_order()
    second_user = UserFactory(reseller=first_order.reseller)
    subscriptions = [
        mirrored_subscription(
            order=placed_order(user=first_order.user) if index else first_order,
            cancellation_allowed_until=now + timedelta(hours=10),
            refund_buckets=[],
            commitment_end=now + timedelta(days=6),
        )
        for index in range(3)
    ]
    expected = len(subscriptions) * 2 * 2  # window closing and renewal in 7 days, two users
    celery_app.control.purge()  # the placed orders' provisioning is not this test's business
    first = celery_workers.start(concurrency=2, name="first")
    for _ in range(5):
        reminders_send_task.delay(now.isoformat())

    wait_until(Reminder.objects.exists, what="the first reminder")
    celery_workers.kill(first)
    celery_workers.start(concurrency=2, name="second")
    for _ in range(5):
        reminders_send_task.delay(now.isoformat())

    def all_sent() -> bool:
        emails = Email.objects.filter(key__startswith="reminder-")
        return emails.count() == expected and not emails.exclude(status="sent").exists()

    wait_until(all_sent, what="every reminder e-mail sent")
    # Stale claims would be re-sent by a later run: one more run must add nothing.
    reminders_send_task.delay(now.isoformat())
    messages = smtp.wait_for(expected)
    wait_until(
        lambda: Email.objects.filter(key__startswith="reminder-").count() == expected,
        what="no new row",
    )

    assert Reminder.objects.count() == expected
    sent = sorted(
        (message["To"], str(make_header(decode_header(message["Subject"])))) for message in messages
    )
    # A copy sent twice would carry its outbox row's Message-ID twice.
    assert len({message["Message-ID"] for message in messages}) == expected
    assert len(sent) == expected
    assert {to for to, _ in sent} == {first_order.user.email, second_user.email}
    assert sum(subject.startswith("Rinnovo tra 7 giorni") for _, subject in sent) == 6
    assert sum(subject.startswith("Finestra di cancellazione") for _, subject in sent) == 6
