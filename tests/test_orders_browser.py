"""«L'ordine è completo!» in a real browser: the page follows the order until it is active."""

import pytest

from orders.models import OrderStatus
from orders.services import order_set_status
from orders.tasks import order_provision_task
from orders.tests.factories import order_user, placed_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_placed_page_updates_itself_until_the_subscription_is_active(
    signed_in_page, monkeypatch
):
    monkeypatch.setattr(order_provision_task, "delay", lambda order_id: None)
    user = order_user()
    order = placed_order(user=user)
    order_set_status(order_id=order.pk, to_status=OrderStatus.PROVISIONING, actor="worker")
    page = signed_in_page(user)

    page.goto(f"{page.live_server_url}/ordini/{order.pk}/completato/")
    assert page.locator("[data-order-number]").inner_text() == order.number
    assert page.locator("[data-step='mpn']").get_attribute("data-step-state") == "current"
    assert page.locator("h1").inner_text() == "L'ordine è completo: attivazione in corso"
    order_set_status(order_id=order.pk, to_status=OrderStatus.ACTIVE, actor="worker")

    page.wait_for_selector("[data-progress-status='active']", timeout=15_000)
    assert page.locator("[data-progress-headline]").inner_text() == "La sottoscrizione è attiva!"
    assert page.locator("h1").inner_text() == "L'ordine è completo: sottoscrizione attiva"
    assert page.title() == (
        f"L'ordine è completo: sottoscrizione attiva · {order.number} · CSP Storefront"
    )
    assert page.locator("[data-reload]").count() == 0
    assert page.locator("[data-order-progress]").get_attribute("data-final") == "true"


def test_the_order_page_follows_the_worker_after_verifica_relazione(signed_in_page, monkeypatch):
    # «Verifica relazione» brings the reseller back to the order's own page: it must advance by
    # itself as the worker goes on, not stay at the step it showed when it was loaded.
    monkeypatch.setattr(order_provision_task, "delay", lambda order_id: None)
    user = order_user()
    order = placed_order(user=user)
    order_set_status(order_id=order.pk, to_status=OrderStatus.PROVISIONING, actor="worker")
    page = signed_in_page(user)

    page.goto(f"{page.live_server_url}/ordini/{order.pk}/")
    assert page.locator("[data-step='mpn']").get_attribute("data-step-state") == "current"
    order_set_status(order_id=order.pk, to_status=OrderStatus.ACTIVE, actor="worker")

    page.wait_for_selector("[data-progress-status='active']", timeout=15_000)
    assert page.locator("[data-progress-headline]").inner_text() == "La sottoscrizione è attiva!"
    assert page.locator("[data-order-progress]").get_attribute("data-final") == "true"
    assert page.locator("[data-verify-relationship]").count() == 0
