"""Sending outbox e-mails that are not part of provisioning: staff alerts and reminders."""

import logging
import time

from celery import shared_task

from notifications.services import email_send_attempt

logger = logging.getLogger(__name__)


# In-process runs retry here for at most this long in all: someone's request is waiting.
EAGER_MAX_TOTAL_SECONDS = 60


@shared_task(bind=True, acks_late=True, max_retries=None)
def email_send_task(self, email_id: int) -> None:
    attempt = self.request.retries
    wait = email_send_attempt(email_id=email_id, attempt=attempt)
    if self.request.is_eager:
        # In-process (development without a broker, tests): no queue to come back through, so
        # wait here within the budget; past it the row stays pending with its last error.
        deadline = time.monotonic() + EAGER_MAX_TOTAL_SECONDS
        while wait is not None and time.monotonic() + wait <= deadline:
            time.sleep(wait)
            attempt += 1
            wait = email_send_attempt(email_id=email_id, attempt=attempt)
        if wait is not None:
            logger.warning(
                "e-mail %s not sent within %s s in-process; left pending",
                email_id,
                EAGER_MAX_TOTAL_SECONDS,
            )
        return
    if wait is not None:
        raise self.retry(countdown=wait)
