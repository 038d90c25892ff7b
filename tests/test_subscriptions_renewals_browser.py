"""A reseller in a real browser, against the sandbox: plan the renewal of a 200-seat
subscription at 101 with the next term's price, see it in «Rinnovi», add seats (Partner Center
drops the plan, the storefront sets it again), then the renewal at 101 on the sandbox clock.
Screenshots of each step go to var/screenshots/."""

import pytest
from django.conf import settings
from django.core.management import call_command

from orders.tasks import order_provision_task
from orders.tests.factories import contoso_customer, order_user, placed_order
from subscriptions.models import ChangeRequest, Subscription

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.VAR_DIR / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"renewals-{name}.png"), full_page=True)


def test_a_reseller_plans_a_renewal_at_101_seats_and_it_renews_so(
    signed_in_page, pc_sandbox, fast_provisioning
):
    user = order_user()
    order = placed_order(user=user, customer=contoso_customer(reseller=user.reseller), quantity=200)
    order_provision_task.delay(order.pk)
    subscription = Subscription.objects.get(order=order)
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}/sottoscrizioni/{subscription.pk}/")
    assert "si rinnova con le stesse licenze" in page.locator("[data-renewal]").inner_text()
    shot(page, "1-detail")

    # Plan 101 seats: the next term's price at today's list price, then confirm
    page.locator("[data-action-link='plan_renewal']").click()
    page.get_by_label("Licenze al rinnovo").fill("101")
    page.get_by_role("button", name="Calcola il prezzo").click()
    preview = page.locator("[data-plan-preview]").inner_text()
    assert "101 licenze" in preview and "al listino di oggi" in preview
    shot(page, "2-plan-preview")
    page.get_by_role("button", name="Pianifica il rinnovo").click()
    page.wait_for_selector("[data-plan-held]")
    assert "101 licenze" in page.locator("[data-plan-held]").inner_text()
    shot(page, "3-planned")

    # «Rinnovi» lists nothing within 60 days yet (a year to go); the list links back
    page.goto(f"{page.live_server_url}/sottoscrizioni/")
    page.locator("[data-renewals-link]").click()
    page.wait_for_selector("h1")
    shot(page, "4-renewals")

    # Add 3 seats: Partner Center drops the plan, the storefront sets it again
    page.goto(f"{page.live_server_url}/sottoscrizioni/{subscription.pk}/")
    page.get_by_role("link", name="Aggiungi licenze").click()
    page.get_by_label("Licenze da aggiungere").fill("3")
    page.get_by_role("button", name="Conferma e aggiungi").click()
    page.wait_for_selector("[data-quantity]")
    page.reload()
    assert page.locator("[data-quantity]").inner_text() == "203"
    assert page.locator("[data-event='plan_reapplied']").count() == 1
    assert "101 licenze" in page.locator("[data-plan-held]").inner_text()
    shot(page, "5-reapplied")

    # A year later on the sandbox clock: renewed at 101, the window open again
    pc_sandbox.control.advance_clock("P367D")
    call_command("sync_subscriptions")
    page.reload()
    assert page.locator("[data-quantity]").inner_text() == "101"
    assert "finestra di cancellazione aperta fino al" in (
        page.locator("[data-event='renewed']").inner_text()
    )
    shot(page, "6-renewed")

    assert list(ChangeRequest.objects.order_by("pk").values_list("kind", "status")) == [
        ("plan_renewal", "completed"),
        ("add_seats", "completed"),
        ("plan_renewal", "completed"),
    ]
