"""A reseller in a real browser, against the sandbox: an active order → «Sottoscrizioni» → add
seats → remove one → auto-renew off. Screenshots of each step go to var/screenshots/."""

import re
import uuid

import pytest
from django.conf import settings

from orders.tasks import order_provision_task
from orders.tests.factories import contoso_customer, order_user, placed_order
from subscriptions.models import ChangeRequest, Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.VAR_DIR / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"subscriptions-{name}.png"), full_page=True)


def test_a_reseller_adds_seats_removes_one_and_turns_auto_renew_off(
    signed_in_page, pc_sandbox, fast_provisioning
):
    # Given an order that became active (its subscriptions mirrored by the hook)
    user = order_user()
    order = placed_order(user=user, customer=contoso_customer(reseller=user.reseller))
    order_provision_task.delay(order.pk)
    subscription = Subscription.objects.get(order=order)
    page = signed_in_page(user)

    # «Sottoscrizioni» from the navigation bar
    page.goto(page.live_server_url + "/")
    page.locator("[data-nav='subscriptions']").click()
    page.wait_for_selector("[data-subscription-table]")
    shot(page, "1-list")
    page.get_by_role("link", name=subscription.title).click()
    assert page.locator("[data-quantity]").inner_text() == "5"
    shot(page, "2-detail")

    # Add 2 seats: the cost first, then confirm
    page.get_by_role("link", name="Aggiungi licenze").click()
    page.get_by_label("Licenze da aggiungere").fill("2")
    page.get_by_role("button", name="Calcola l'importo").click()
    assert "Costo di 2 licenze" in page.locator("[data-preview]").inner_text()
    shot(page, "3-add-preview")
    page.get_by_role("button", name="Conferma e aggiungi").click()
    page.wait_for_selector("[data-quantity]")
    assert page.locator("[data-quantity]").inner_text() == "7"
    assert page.locator("[data-bucket]").count() == 2
    shot(page, "4-added")

    # Remove one
    page.get_by_role("link", name="Riduci licenze").click()
    page.get_by_label("Licenze da togliere").fill("1")
    page.get_by_role("button", name="Conferma e togli").click()
    page.wait_for_selector("[data-quantity]")
    assert page.locator("[data-quantity]").inner_text() == "6"
    shot(page, "5-removed")

    # Auto-renew off
    page.get_by_role("link", name="Disattiva il rinnovo automatico").click()
    page.get_by_role("button", name="Disattiva il rinnovo automatico").click()
    page.wait_for_selector("[data-auto-renew='off']")
    assert re.search("scade", page.locator("[data-renewal]").inner_text())
    shot(page, "6-auto-renew-off")

    assert list(ChangeRequest.objects.order_by("pk").values_list("kind", "status")) == [
        ("add_seats", "completed"),
        ("remove_seats", "completed"),
        ("auto_renew", "completed"),
    ]


def test_the_subscription_page_shows_the_change_completed_by_itself(signed_in_page, monkeypatch):
    # «Richiesta inviata: la vedrai completata in questa pagina»: without a reload by hand.
    from subscriptions import events
    from subscriptions.models import ChangeStatus
    from subscriptions.services.changes import change_request_create
    from subscriptions.services.status import change_request_set_status
    from subscriptions.tasks import change_request_run_task
    from subscriptions.tests.factories import mirrored_subscription

    monkeypatch.setattr(change_request_run_task, "delay", lambda *args, **kwargs: None)
    subscription = mirrored_subscription()
    user = subscription.order.user
    change = change_request_create(
        subscription=subscription,
        user=user,
        kind=ChangeRequest.Kind.AUTO_RENEW,
        idempotency_key=uuid.uuid4(),
        auto_renew_enabled=False,
    )
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}/sottoscrizioni/{subscription.pk}/")
    assert page.locator("[data-open-change]").count() == 1

    for status, event in (
        (ChangeStatus.SUBMITTED, events.event_taken),
        (ChangeStatus.COMPLETED, events.event_confirmed),
    ):
        change_request_set_status(change_request_id=change.pk, to_status=status, event=event)
    page.wait_for_selector("[data-open-change]", state="detached", timeout=15_000)
    assert page.get_by_role("link", name="Aggiungi licenze").count() == 1
