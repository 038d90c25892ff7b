"""A reseller in a real browser, against the sandbox: Business Basic (10) → «Passa a un prodotto
superiore» → 5 licences to Business Standard → two subscriptions; then suspend (the warning that
billing continues) and reactivate. Screenshots of each step go to var/screenshots/."""

import contextlib

import pytest
from django.conf import settings

from subscriptions.models import ChangeRequest, Subscription
from subscriptions.tests.upgrade_factories import basic_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = settings.VAR_DIR / "screenshots"


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"upgrade-{name}.png"), full_page=True)


def committed(execute: bool):
    """Outside a test transaction what an order queues after commit runs at once."""
    return contextlib.nullcontext()


def test_a_reseller_upgrades_five_of_ten_seats_then_suspends_and_reactivates(
    signed_in_page, pc_sandbox, fast_provisioning
):
    # Given an active order of 10 Business Basic
    order = basic_order(committed, quantity=10)
    basic = Subscription.objects.get(order=order)
    page = signed_in_page(order.user)

    page.goto(page.live_server_url + "/")
    page.locator("[data-nav='subscriptions']").click()
    page.get_by_role("link", name=basic.title).click()
    assert page.locator("[data-quantity]").inner_text() == "10"
    shot(page, "1-detail")

    # The upgrade page asks Partner Center through a worker, then offers the targets
    page.get_by_role("link", name="Passa a un prodotto superiore").click()
    if page.locator("[data-upgrade-checking]").count():
        page.get_by_role("link", name="Ricarica").click()
    page.wait_for_selector("[data-upgrade-targets]")
    assert page.locator("[data-eligible='yes']").count() == 2
    page.get_by_label("Nuovo prodotto").select_option(label="Microsoft 365 Business Standard")
    page.get_by_label("Licenze da far passare").fill("5")
    shot(page, "2-choose")
    page.get_by_role("button", name="Conferma il passaggio").click()

    # Back on the subscription: 5 left; the list shows both
    page.wait_for_selector("[data-quantity]")
    assert page.locator("[data-quantity]").inner_text() == "5"
    shot(page, "3-upgraded")
    page.get_by_role("link", name="Sottoscrizioni").first.click()
    page.wait_for_selector("[data-subscription-table]")
    table = page.locator("[data-subscription-table]").inner_text()
    assert "Microsoft 365 Business Standard" in table and "Microsoft 365 Business Basic" in table
    shot(page, "4-list")

    # Suspend: the warning first, then the banner; reactivate
    page.get_by_role("link", name="Microsoft 365 Business Basic").click()
    page.get_by_role("link", name="Sospendi", exact=True).click()
    assert "La fatturazione continua" in page.locator("[data-billing-continues]").inner_text()
    shot(page, "5-suspend-warning")
    page.get_by_role("button", name="Sospendi la sottoscrizione").click()
    page.wait_for_selector("[data-suspended-warning]")
    assert page.locator("[data-action='add_seats']").get_attribute("data-allowed") == "no"
    shot(page, "6-suspended")
    page.get_by_role("link", name="Riattiva", exact=True).click()
    page.get_by_role("button", name="Riattiva la sottoscrizione").click()
    page.wait_for_selector("[data-action='add_seats'][data-allowed='yes']")
    shot(page, "7-reactivated")

    assert list(ChangeRequest.objects.order_by("pk").values_list("kind", "status")) == [
        ("upgrade", "completed"),
        ("suspend", "completed"),
        ("reactivate", "completed"),
    ]
    standard = Subscription.objects.get(title="Microsoft 365 Business Standard")
    assert (standard.quantity, standard.commitment_end) == (5, basic.commitment_end)
