"""Acceptance of provisioning through real Celery workers on Redis and PostgreSQL, against the
Partner Center sandbox, with e-mails to a real SMTP server.

Kept to the scenarios that need separate processes: the full run, the secrets that must never
leave the database encrypted (logs, broker messages, tables), and a worker killed mid-order.
"""

import base64
import re
import threading
import time
from email.header import decode_header, make_header

import pytest
from django.utils import timezone

from notifications.models import Email
from orders.models import Order, OrderStatus
from orders.tests.factories import contoso_customer, order_user, placed_order
from orders.tests.helpers import NO_DUPLICATES, database_text, sandbox_duplicates

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

VISIBILITY_TIMEOUT = 5
MESSAGE_BODY = re.compile(r'body\\?": \\?"([A-Za-z0-9+/=]+)')
PASSWORD_LINE = re.compile(r"Password temporanea:\s+(\S+)")


def subject_of(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def wait_for_status(order_id: int, statuses: set[str], *, timeout: float = 60) -> Order:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = Order.objects.get(pk=order_id)
        if order.status in statuses:
            return order
        time.sleep(0.2)
    raise AssertionError(f"order {order_id} still {order.status} after {timeout} s")


def wait_for_the_lease_to_lapse(order_id: int, *, timeout: float = 60) -> None:
    """A killed worker's run lease on the order (at most the visibility timeout) is no longer
    held: a new worker's run may take the order."""
    deadline = time.monotonic() + timeout
    while Order.objects.filter(pk=order_id, run_lease_until__gt=timezone.now()).exists():
        assert time.monotonic() < deadline, f"order {order_id} still leased after {timeout} s"
        time.sleep(0.1)


def start_worker(celery_workers, pc_sandbox, smtp, **env):
    celery_workers.extra_env.update(pc_sandbox.env(), EMAIL_URL=smtp.url, **env)
    return celery_workers.start(concurrency=2)


class RedisRecorder:
    """Everything sent to Redis while it runs (MONITOR), to search for secrets afterwards."""

    def __init__(self, redis_client) -> None:
        self._monitor = redis_client.monitor()
        self.commands: list[str] = []
        self._thread = threading.Thread(target=self._record, daemon=True)

    def _record(self) -> None:
        try:
            for command in self._monitor.listen():
                self.commands.append(command["command"])
        except Exception:  # noqa: S110 - the connection is closed to stop recording
            pass

    def __enter__(self) -> "RedisRecorder":
        self._monitor.__enter__()
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._monitor.connection.disconnect()
        self._thread.join(timeout=5)

    @property
    def text(self) -> str:
        """The commands, with each Celery message body (base64 JSON) decoded next to it."""
        raw = "\n".join(self.commands)
        bodies = [base64.b64decode(body).decode() for body in MESSAGE_BODY.findall(raw)]
        return "\n".join([raw, *bodies])


def test_orders_provisioned_by_a_worker_send_the_right_emails_and_never_leak_the_password(
    celery_workers, pc_sandbox, smtp, redis_client
):
    with RedisRecorder(redis_client) as broker:
        start_worker(celery_workers, pc_sandbox, smtp)
        user = order_user()
        new_tenant = placed_order(user=user, addon_quantity=2)
        existing_tenant = placed_order(user=user, customer=contoso_customer(reseller=user.reseller))

        new_tenant = wait_for_status(new_tenant.pk, {OrderStatus.ACTIVE, OrderStatus.FAILED})
        existing_tenant = wait_for_status(
            existing_tenant.pk, {OrderStatus.ACTIVE, OrderStatus.FAILED}
        )
        messages = smtp.wait_for(3)

    assert (new_tenant.status, existing_tenant.status) == (OrderStatus.ACTIVE, OrderStatus.ACTIVE)
    subjects = sorted(subject_of(message) for message in messages)
    assert subjects == sorted(
        [
            f"Credenziali di accesso · {new_tenant.tenant_domain}",
            f"Riepilogo della sottoscrizione · ordine {new_tenant.number}",
            f"Riepilogo della sottoscrizione · ordine {existing_tenant.number}",
        ]
    )
    assert [line.subscription_status for line in new_tenant.lines.all()] == ["active", "active"]
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    assert Email.objects.filter(status=Email.Status.SENT).count() == 3

    credentials = next(m for m in messages if subject_of(m).startswith("Credenziali"))
    text_part = next(part for part in credentials.walk() if part.get_content_type() == "text/plain")
    password = PASSWORD_LINE.search(text_part.get_payload(decode=True).decode()).group(1)
    assert len(password) >= 8
    assert new_tenant.admin_password_encrypted == ""
    assert password not in database_text()
    assert password not in celery_workers.logs()
    assert broker.commands, "nothing was recorded from Redis"
    assert password not in broker.text
    assert f"[[{new_tenant.pk}], {{}}" in broker.text  # the task's arguments: the order id only


def checkout_calls(pc_sandbox) -> list[dict]:
    calls = pc_sandbox.control.calls(method="POST", path_prefix="/v1/customers/")
    return [call for call in calls if call["path"].endswith("/checkout")]


def test_a_worker_killed_during_checkout_is_replaced_and_the_order_ends_active_once(
    celery_workers, pc_sandbox, smtp
):
    # The killed worker's unacknowledged task (acks_late) goes back to the queue once it is older
    # than the broker's visibility timeout: a worker starting later restores it at once (kombu
    # scans on start). The sweeper (sweep_orders) is the backstop when nothing restores it.
    pc_sandbox.control.inject_fault(
        "latency", method="POST", path_regex=r"/checkout$", latency_ms=3000, count=1
    )
    first = start_worker(
        celery_workers, pc_sandbox, smtp, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)
    )
    order = placed_order()

    # Kill while the sandbox holds the checkout (3 s latency): sent, but its outcome unknown.
    deadline = time.monotonic() + 30
    while not checkout_calls(pc_sandbox):
        assert time.monotonic() < deadline, "checkout never reached Partner Center"
        time.sleep(0.05)
    celery_workers.kill(first)
    while checkout_calls(pc_sandbox)[0]["status"] is None:  # Partner Center still holds it
        assert time.monotonic() < deadline, "the held checkout never completed"
        time.sleep(0.05)
    wait_for_the_lease_to_lapse(order.pk)
    assert celery_workers.expire_unacknowledged() == 1
    start_worker(
        celery_workers, pc_sandbox, smtp, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT)
    )

    order = wait_for_status(order.pk, {OrderStatus.ACTIVE, OrderStatus.FAILED}, timeout=90)
    assert order.status == OrderStatus.ACTIVE
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    checkout_ids = [call["ms_request_id"] for call in checkout_calls(pc_sandbox)]
    assert len(checkout_ids) == 2
    assert len(set(checkout_ids)) == 1  # the retry repeated the same request
    assert len(smtp.wait_for(2)) == 2
    assert Email.objects.filter(order=order, status=Email.Status.SENT).count() == 2
