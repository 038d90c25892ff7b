"""Sending outbox e-mails that are not part of provisioning: staff alerts and reminders."""

import time

from celery import shared_task

from notifications.services import email_send_attempt


@shared_task(bind=True, acks_late=True, max_retries=None)
def email_send_task(self, email_id: int) -> None:
    attempt = self.request.retries
    wait = email_send_attempt(email_id=email_id, attempt=attempt)
    while wait is not None and self.request.is_eager:
        # In-process (development without a broker, tests): no queue to come back through.
        time.sleep(wait)
        attempt += 1
        wait = email_send_attempt(email_id=email_id, attempt=attempt)
    if wait is not None:
        raise self.retry(countdown=wait)
