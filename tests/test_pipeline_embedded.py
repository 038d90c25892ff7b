"""The pipeline as `make run` runs it: a real Celery worker with its beat on the embedded broker
(kombu's file transport, no server), the site, and the Partner Center sandbox (issue 10).

The database is the test PostgreSQL (the worker is another process and sees what the test
commits). Intervals are shortened through the worker's environment, as an operator would set
them: time is driven by the settings, the test only polls for the outcome.
"""

import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import expect

from orders.event_messages import event_staff_text
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import Failure, order_set_status
from orders.tasks import order_provision_task
from orders.tests.factories import fabrikam_customer, order_user, placed_order
from partnercenter.models import PartnerCenterCall
from storefront.celery import app as celery_app
from storefront.tests.factories import StaffUserFactory
from tenants.tests.factories import (
    FABRIKAM_PREFIX,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    draft_ready_to_confirm,
    reseller_user,
)
from tests.fixtures.services import CeleryWorkers, _forget_broker_connections

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

EMBEDDED_BROKER_URL = "filesystem://localhost/"
FINAL = {OrderStatus.ACTIVE, OrderStatus.FAILED, OrderStatus.CANCELLED}
# Shortened for the test; the defaults are in storefront/settings.py.
FAST_INTERVALS = {
    "ORDER_RETRY_BASE_SECONDS": "1",
    "ORDER_POLL_SECONDS": "1",
    "ORDER_RELATIONSHIP_SCAN_SECONDS": "1",
    "ORDER_RELATIONSHIP_CHECK_MIN_SECONDS": "3",
    "ORDER_SWEEP_INTERVAL_SECONDS": "30",
}


def filesystem_transport_options(folder: Path) -> dict:
    for name in ("queue", "control", "processed"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
    }


@pytest.fixture
def embedded_workers(transactional_db, pc_sandbox, smtp, tmp_path, request):
    """Workers on the embedded broker under ``tmp_path/celery``; this process sends there too."""
    from django.db import connection

    workers = CeleryWorkers(
        redis_url=EMBEDDED_BROKER_URL,  # becomes the workers' CELERY_BROKER_URL
        database_name=connection.settings_dict["NAME"],
        log_dir=tmp_path,
        extra_env={
            **pc_sandbox.env(),
            "EMAIL_URL": smtp.url,
            "CELERY_FILESYSTEM_DIR": str(tmp_path / "celery"),
            **FAST_INTERVALS,
        },
    )
    previous = (
        celery_app.conf.task_always_eager,
        celery_app.conf.broker_url,
        celery_app.conf.broker_transport_options,
    )
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = EMBEDDED_BROKER_URL
    celery_app.conf.broker_transport_options = filesystem_transport_options(tmp_path / "celery")
    _forget_broker_connections()
    yield workers
    workers.stop_all()
    (
        celery_app.conf.task_always_eager,
        celery_app.conf.broker_url,
        celery_app.conf.broker_transport_options,
    ) = previous
    _forget_broker_connections()
    call_report = getattr(request.node, "rep_call", None)
    if call_report is not None and call_report.failed:
        print("--- celery worker logs ---\n" + workers.logs()[-8000:])


def start_with_beat(workers: CeleryWorkers, tmp_path: Path, **env):
    workers.extra_env.update(env)
    return workers.start(
        extra_args=("--beat", "--schedule", str(tmp_path / "celery" / "beat-schedule"))
    )


def wait_for_status(order_id: int, statuses: set[str], *, timeout: float) -> Order:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        order = Order.objects.get(pk=order_id)
        if order.status in statuses:
            return order
        time.sleep(0.2)
    raise AssertionError(f"order {order_id} still {order.status} after {timeout} s")


def customer_posts(pc_sandbox) -> list[dict]:
    return [c for c in pc_sandbox.control.calls(method="POST") if c["path"] == "/v1/customers"]


def test_three_503s_on_customer_creation_end_active_with_no_manual_step(
    embedded_workers, pc_sandbox, tmp_path
):
    # Given the stack of make run, and Partner Center refusing the next three creations
    start_with_beat(embedded_workers, tmp_path)
    pc_sandbox.control.inject_fault(
        "status", status=503, method="POST", path_regex=r"^/v1/customers$", count=3
    )

    # When an order for a new tenant is placed
    order = placed_order()

    # Then the worker retries it by itself to the end
    order = wait_for_status(order.pk, FINAL, timeout=90)
    assert order.status == OrderStatus.ACTIVE
    assert [call["status"] for call in customer_posts(pc_sandbox)] == [503, 503, 503, 201]
    assert order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED).count() == 3
    assert not order.events.filter(actor=OrderEvent.Actor.STAFF).exists()
    assert order.transient_failures == 0


def test_a_starting_worker_resumes_at_once_an_order_whose_message_was_lost(
    embedded_workers, pc_sandbox, monkeypatch
):
    # Given an order whose message never reached the broker (lost), due a minute ago
    monkeypatch.setattr(order_provision_task, "delay", lambda order_id: None)
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(attention_due_at=order.created_at)

    # When a worker starts (no beat: the periodic sweep is minutes away)
    embedded_workers.start()

    # Then it finds the order at once and provisions it
    order = wait_for_status(order.pk, FINAL, timeout=45)
    assert order.status == OrderStatus.ACTIVE


# --- In Chromium ------------------------------------------------------------------------------


def waiting_order_for_fabrikam():
    user = order_user()
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))
    return user, wait_for_status(order.pk, {OrderStatus.AWAITING_RELATIONSHIP, *FINAL}, timeout=60)


def accept_invitation_in_the_customers_browser(browser, invitation_url: str) -> None:
    context = browser.new_context(locale="it-IT", ignore_https_errors=True)
    admin_page = context.new_page()
    admin_page.goto(invitation_url)
    expect(admin_page.locator("input[name=domain]")).to_have_value(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com"
    )
    admin_page.get_by_role("button", name="Accetta").click()
    expect(admin_page.get_by_role("heading", name="Relazione accettata")).to_be_visible()
    context.close()


@pytest.mark.browser
def test_an_accepted_invitation_resumes_the_order_by_itself(
    embedded_workers, pc_sandbox, tmp_path, signed_in_page, browser
):
    # Given an order for an existing tenant without relationship, parked by the worker
    start_with_beat(embedded_workers, tmp_path)
    user, order = waiting_order_for_fabrikam()
    assert order.status == OrderStatus.AWAITING_RELATIONSHIP
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}/ordini/{order.pk}/completato/")
    expect(page.locator("[data-progress-status]")).to_have_attribute(
        "data-progress-status", "awaiting_relationship"
    )
    invitation_url = page.locator("[data-invitation-url]").get_attribute("href")

    # When the customer's administrator accepts the invitation on the sandbox's page
    accept_invitation_in_the_customers_browser(browser, invitation_url)
    accepted_at = time.monotonic()

    # Then, with nobody pressing anything, the page the reseller left open turns active
    # within the first check interval, the scan, and the provisioning run
    expect(page.locator("[data-progress-status]")).to_have_attribute(
        "data-progress-status", "active", timeout=60_000
    )
    assert time.monotonic() - accepted_at < 60
    order.refresh_from_db()
    resumed = order.events.get(
        from_status=OrderStatus.AWAITING_RELATIONSHIP, to_status=OrderStatus.PROVISIONING
    )
    assert resumed.actor == OrderEvent.Actor.WORKER
    with translation.override("it"):
        assert "Relazione di rivenditore accettata" in event_staff_text(resumed)
    assert not order.events.filter(actor=OrderEvent.Actor.STAFF).exists()


@pytest.mark.browser
def test_verifica_relazione_on_the_order_page_resumes_it_at_once(
    embedded_workers, pc_sandbox, tmp_path, signed_in_page
):
    # Given a waiting order whose next scheduled check is an hour away
    start_with_beat(embedded_workers, tmp_path, ORDER_RELATIONSHIP_CHECK_MIN_SECONDS="3600")
    user, order = waiting_order_for_fabrikam()
    assert order.status == OrderStatus.AWAITING_RELATIONSHIP
    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}/ordini/{order.pk}/")

    # When the reseller presses «Verifica relazione» on the order page
    page.get_by_role("button", name="Verifica relazione").click()

    # Then the page says the order resumed, and it did, before any scheduled check
    expect(page.locator(".alert-success").first).to_contain_text(
        f"L'attivazione dell'ordine {order.number} è ripresa."
    )
    order.refresh_from_db()
    assert order.status != OrderStatus.AWAITING_RELATIONSHIP
    resumed = order.events.get(
        from_status=OrderStatus.AWAITING_RELATIONSHIP, to_status=OrderStatus.PROVISIONING
    )
    assert (resumed.actor, resumed.actor_user) == (OrderEvent.Actor.RESELLER, user)
    assert wait_for_status(order.pk, FINAL, timeout=60).status == OrderStatus.ACTIVE
    assert PartnerCenterCall.objects.filter(order_id=order.pk, operation="customer_search").exists()


# --- No Partner Center call in a request that only asks for work ------------------------------


def queued_messages(tmp_path: Path) -> int:
    return len(list((tmp_path / "celery" / "queue").glob("*.msg")))


def partner_center_calls(pc_sandbox) -> int:
    return len(pc_sandbox.control.calls())


def test_confirm_makes_no_partner_center_call_it_only_enqueues(
    embedded_workers, pc_sandbox, tmp_path, client
):
    # Given a reseller at «Conferma», and no worker running
    user = reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    cart = checkout_ready_cart(user=user)
    draft_ready_to_confirm(cart=cart)
    client.force_login(user)
    calls_before, queued_before = partner_center_calls(pc_sandbox), queued_messages(tmp_path)

    # When «Prossimo >>» is pressed
    response = client.post(
        reverse("purchase:confirm"),
        {"checkout_token": str(cart.checkout_token), "action": "next"},
    )

    # Then the order is placed and queued for the worker, and Partner Center was not called
    order = Order.objects.get()
    assert response["Location"] == reverse("orders:order_placed", args=[order.pk])
    assert order.status == OrderStatus.PLACED
    assert partner_center_calls(pc_sandbox) == calls_before
    assert not PartnerCenterCall.objects.exists()
    assert queued_messages(tmp_path) == queued_before + 1


def failed_order(user) -> Order:
    order = placed_order(user=user)
    for status in (OrderStatus.PROVISIONING, OrderStatus.FAILED):
        order_set_status(
            order_id=order.pk,
            to_status=status,
            actor=OrderEvent.Actor.WORKER,
            failure=Failure(reason="partner_center_unavailable", code="503", detail="503"),
        )
    return order


def awaiting_order(user) -> Order:
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))
    now = timezone.now()
    order_set_status(
        order_id=order.pk,
        to_status=OrderStatus.AWAITING_RELATIONSHIP,
        actor=OrderEvent.Actor.WORKER,
        changes={
            "awaiting_relationship_since": now,
            "awaiting_relationship_until": now + timedelta(days=14),
            "attention_due_at": now + timedelta(hours=1),
        },
    )
    return order


def test_admin_retry_and_resume_make_no_partner_center_call_and_the_steps_then_advance(
    embedded_workers, pc_sandbox, tmp_path, client
):
    # Given a failed order and one waiting for its relationship, accepted meanwhile; no worker
    pc_sandbox.control.set_delays(order_completion_seconds=1, subscription_activation_seconds=2)
    user = order_user()  # the sandbox's reseller: the invitation below names it
    retried, waiting = failed_order(user), awaiting_order(user)
    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )
    staff = Client()
    staff.force_login(StaffUserFactory())
    calls_before, queued_before = partner_center_calls(pc_sandbox), queued_messages(tmp_path)

    # When staff press «Riprova» on one and «Riprendi» on the other
    changelist = reverse("admin:orders_order_changelist")
    staff.post(changelist, {"action": "retry_orders", "_selected_action": [retried.pk]})
    staff.post(changelist, {"action": "resume_orders", "_selected_action": [waiting.pk]})

    # Then each only queued work for the worker: no call to Partner Center
    assert partner_center_calls(pc_sandbox) == calls_before
    assert queued_messages(tmp_path) == queued_before + 2
    assert Order.objects.get(pk=retried.pk).status == OrderStatus.PROVISIONING
    assert Order.objects.get(pk=waiting.pk).status == OrderStatus.AWAITING_RELATIONSHIP

    # When the worker starts, the reseller's order page shows the steps advancing to the end
    embedded_workers.start()
    client.force_login(retried.user)
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        progress = client.get(reverse("orders:order_status", args=[retried.pk])).json()
        states = tuple(step["state"] for step in progress["steps"])
        if not seen or seen[-1] != states:
            seen.append(states)
        if progress["is_final"]:
            break
        time.sleep(0.1)
    assert progress["status"] == OrderStatus.ACTIVE
    assert set(seen[-1]) == {"done"}
    done_counts = [states.count("done") for states in seen]
    assert done_counts == sorted(done_counts)
    assert len(seen) >= 3
    assert wait_for_status(waiting.pk, FINAL, timeout=60).status == OrderStatus.ACTIVE
