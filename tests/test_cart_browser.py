"""The guide's steps 2–8 in a real browser: add to cart with an add-on, «Acquista altro», change a
quantity in place, «Checkout >>» refused without the terms, then accepted with them."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from checkout.models import Cart, TermsAcceptance
from checkout.prorata import line_estimate
from checkout.tests.factories import (
    TermsVersionFactory,
    business_standard_with_archiving,
    plan_on_sale,
    reseller_user,
    sku_create,
)
from storefront.dates import rome_today
from storefront.templatetags.money import euro

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def estimate(price: str, quantity: int) -> Decimal:
    """«Utilizzo stimato» of a P1Y line for today in Rome, as the page must show it."""
    return line_estimate(
        unit_price_for_term=Decimal(price), months_in_term=12, quantity=quantity, today=rome_today()
    )


def as_euro(amount: Decimal) -> str:
    with translation.override("it"):
        return euro(amount)


def add_from_product_page(page, plan, quantity: int, addon=None) -> None:
    page.goto(
        f"{page.live_server_url}{reverse('catalog:product', args=[plan.sku.product.product_id])}"
    )
    form = page.locator(f"form[data-add-to-cart='{plan.pk}']")
    form.get_by_label("Licenze", exact=True).fill(str(quantity))
    if addon is not None:
        form.locator("summary").click()
        form.locator(f"[data-addon-choice='{addon.pk}'] input[type=checkbox]").check()
    form.get_by_role("button", name="Aggiungi al carrello").click()
    expect(page.get_by_role("heading", name="Aggiunto al carrello")).to_be_visible()


def test_cart_from_product_page_to_checkout(signed_in_page):
    # Given Business Standard with Exchange Online Archiving, Exchange Online (Plan 1), and terms
    user = reseller_user()
    standard, archiving = business_standard_with_archiving()
    exchange = plan_on_sale(sku_create(title="Exchange Online (Plan 1)"), price="48.00")
    TermsVersionFactory()
    page = signed_in_page(user)

    # When Business Standard ×5 is added with its add-on, then «Acquista altro» and Exchange ×2
    add_from_product_page(page, standard, 5, addon=archiving)
    page.get_by_role("link", name="Acquista altro").click()
    expect(page.get_by_role("heading", name="Catalogo")).to_be_visible()
    add_from_product_page(page, exchange, 2)
    page.get_by_role("link", name="Vai al carrello").click()

    # Then the «Riepilogo» shows three lines and the estimate of each, and their total
    expect(page.get_by_role("heading", name="Riepilogo")).to_be_visible()
    expect(page.locator("tr[data-line]")).to_have_count(3)
    expect(page.locator("[data-cart-count]")).to_have_text("3")
    exchange_row = page.locator("tr[data-line]", has_text="Exchange Online (Plan 1)")
    expect(exchange_row.locator("[data-line-estimate]")).to_have_text(as_euro(estimate("48.00", 2)))
    total = estimate("140.40", 5) + estimate("36.00", 5) + estimate("48.00", 2)
    expect(page.locator("[data-estimate-total]")).to_have_text(as_euro(total))
    expect(page.locator("[data-total='monthly'] [data-total-net]")).to_have_text("€\xa081,50")

    # When Exchange goes to 3 licences (in place: the page is not reloaded)
    page.evaluate("window.cartPageNotReloaded = true")
    exchange_row.get_by_label("Licenze di Exchange Online (Plan 1)").fill("3")
    exchange_row.get_by_role("button", name="Aggiorna").click()

    # Then the line, the totals and «Utilizzo stimato» follow
    total = estimate("140.40", 5) + estimate("36.00", 5) + estimate("48.00", 3)
    expect(page.locator("[data-estimate-total]")).to_have_text(as_euro(total))
    expect(page.locator("[data-total='monthly'] [data-total-net]")).to_have_text("€\xa085,50")
    assert page.evaluate("window.cartPageNotReloaded") is True

    # When «Checkout >>» is pressed without the terms, it is refused
    page.get_by_role("button", name="Checkout >>").click()
    expect(page.locator("[data-terms-error]")).to_have_text(
        "Per procedere devi leggere e accettare i termini di vendita."
    )
    assert not TermsAcceptance.objects.exists()

    # And with the terms accepted, «Per rivendita» (the default), it goes to the customer step
    expect(page.get_by_label("Per rivendita")).to_be_checked()
    page.get_by_label("Ho letto e accetto i termini di vendita").check()
    with page.expect_request(lambda request: request.url.endswith(reverse("purchase:customer"))):
        page.get_by_role("button", name="Checkout >>").click()
    acceptance = TermsAcceptance.objects.get()
    assert acceptance.user == user
    cart = Cart.objects.get(user=user)
    assert cart.is_checkout_started and cart.purchase_type == Cart.PurchaseType.RESALE
