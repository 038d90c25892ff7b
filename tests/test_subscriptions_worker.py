"""Change requests run by a real Celery worker on Redis and PostgreSQL against the sandbox, with a
503, a PATCH whose answer is lost after Partner Center committed it, and a 202 + Location: each
change ends completed once, with one change in Partner Center and one e-mail."""

import time
import uuid
from email.header import decode_header, make_header

import pytest
from django.test import Client
from django.urls import reverse

from orders.tests.factories import contoso_customer, order_user, placed_order
from subscriptions.models import ChangeRequest, Subscription

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def wait_until(condition, *, timeout: float = 60, what: str = ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.2)
    raise AssertionError(f"still waiting after {timeout} s: {what}")


def test_a_worker_completes_each_change_once_through_faults(celery_workers, pc_sandbox, smtp):
    celery_workers.extra_env.update(
        pc_sandbox.env(),
        EMAIL_URL=smtp.url,
        ORDER_POLL_SECONDS="0.2",
        ORDER_RETRY_BASE_SECONDS="0.2",
        ORDER_RETRY_MAX_SECONDS="1",
    )
    celery_workers.start(concurrency=2)
    user = order_user()
    order = placed_order(user=user, customer=contoso_customer(reseller=user.reseller))
    subscription = wait_until(
        lambda: Subscription.objects.filter(order=order).first(), what="the mirrored subscription"
    )
    smtp.wait_for(1)  # the order's summary
    smtp.clear()
    pc_sandbox.control.inject_fault("status", status=503, method="PATCH", count=1)
    pc_sandbox.control.inject_fault("drop_after_commit", method="PATCH", count=1)
    browser = Client()
    browser.force_login(user)

    def post(name: str, **fields):
        url = reverse(f"subscriptions:{name}", kwargs={"pk": subscription.pk})
        data = {"idempotency_key": str(uuid.uuid4()), "action": "confirm", **fields}
        assert browser.post(url, data).status_code == 302

    post("add_seats", seats="3")
    wait_until(
        lambda: not ChangeRequest.objects.filter(status__in=["requested", "submitted"]).exists(),
        what="the seats change",
    )
    pc_sandbox.control.set_subscription_options(patch_mode="202", patch_completion_reads=2)
    post("auto_renew", enabled="off")
    wait_until(
        lambda: not ChangeRequest.objects.filter(status__in=["requested", "submitted"]).exists(),
        what="the auto-renew change",
    )
    messages = smtp.wait_for(2)

    assert list(ChangeRequest.objects.order_by("pk").values_list("status", flat=True)) == [
        "completed",
        "completed",
    ]
    subscription.refresh_from_db()
    assert (subscription.quantity, subscription.auto_renew_enabled) == (8, False)
    changes = pc_sandbox.control.subscription_changes()
    assert [sorted(change["changes"]) for change in changes] == [["quantity"], ["auto_renew"]]
    assert "changes" not in pc_sandbox.control.duplicates()
    faults = [call["fault"] for call in pc_sandbox.control.calls(method="PATCH")]
    assert faults[:2] == ["status", "drop_after_commit"]
    subjects = [str(make_header(decode_header(m["Subject"]))) for m in messages]
    assert len(subjects) == 2
    assert all(subject.startswith("Modifica completata · ") for subject in subjects)


def test_a_worker_upgrades_once_through_a_lost_answer_then_suspends_and_reactivates(
    celery_workers, pc_sandbox, smtp
):
    from subscriptions.tests.upgrade_factories import basic_placed_order

    celery_workers.extra_env.update(
        pc_sandbox.env(),
        EMAIL_URL=smtp.url,
        ORDER_POLL_SECONDS="0.2",
        ORDER_RETRY_BASE_SECONDS="0.2",
        ORDER_RETRY_MAX_SECONDS="1",
    )
    celery_workers.start(concurrency=2)
    order = basic_placed_order(quantity=10)
    basic = wait_until(
        lambda: Subscription.objects.filter(order=order).first(), what="the mirrored subscription"
    )
    smtp.wait_for(1)
    smtp.clear()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=r"/transitions$", count=1
    )
    browser = Client()
    browser.force_login(order.user)
    upgrade_url = reverse("subscriptions:upgrade", kwargs={"pk": basic.pk})

    # The page has the worker read the eligibilities, then offers them
    browser.get(upgrade_url)
    wait_until(
        lambda: Subscription.objects.filter(
            pk=basic.pk, upgrade_targets_checked_at__isnull=False
        ).exists(),
        what="the upgrade targets",
    )
    assert 'data-eligible="yes"' in browser.get(upgrade_url).content.decode()
    data = {
        "idempotency_key": str(uuid.uuid4()),
        "action": "confirm",
        "target": "CFQ7TTC0LDPB:0001",
        "seats": "5",
        "destination": "",
    }
    assert browser.post(upgrade_url, data).status_code == 302
    wait_until(
        lambda: ChangeRequest.objects.filter(status="completed").exists(), what="the upgrade"
    )

    for name in ("suspend", "reactivate"):
        url = reverse(f"subscriptions:{name}", kwargs={"pk": basic.pk})
        posted = browser.post(url, {"idempotency_key": str(uuid.uuid4()), "action": "confirm"})
        assert posted.status_code == 302
        wait_until(
            lambda: (
                not ChangeRequest.objects.filter(status__in=["requested", "submitted"]).exists()
            ),
            what=name,
        )
    messages = smtp.wait_for(3)

    assert list(ChangeRequest.objects.order_by("pk").values_list("kind", "status")) == [
        ("upgrade", "completed"),
        ("suspend", "completed"),
        ("reactivate", "completed"),
    ]
    basic.refresh_from_db()
    assert (basic.quantity, basic.status) == (5, "active")
    assert Subscription.objects.get(title="Microsoft 365 Business Standard").quantity == 5
    assert len(pc_sandbox.control.transitions()) == 1
    assert "changes" not in pc_sandbox.control.duplicates()
    posts = [
        c for c in pc_sandbox.control.calls(method="POST") if c["path"].endswith("/transitions")
    ]
    assert [call["fault"] for call in posts][:1] == ["drop_after_commit"]
    assert len(messages) == 3
