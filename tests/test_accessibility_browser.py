"""Keyboard, focus and announcements in Chromium, beyond what axe-core can see: the skip link,
the wizard's buttons in reading order, the focus after «Aggiorna» and «Rimuovi» in the cart,
fields in error described and focused, a wrong password announced; and the checkout tapped
through on a 375 px touch screen."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from checkout.tests.factories import TermsVersionFactory
from orders.models import Order
from orders.tests.factories import BUSINESS_STANDARD, checked_out_cart, order_user, sandbox_plan
from storefront.tests.factories import UserFactory
from tenants.tests.factories import FREE_PREFIX, checkout_ready_cart, reseller_user
from tests.fixtures.pagecheck import page_problems, page_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = {
    "#id_company_name": "Nuova Impresa S.r.l.",
    "#id_vat_number": "01234560157",
    "#id_address_line": "Via Torino 10",
    "#id_postal_code": "10121",
    "#id_city": "Torino",
    "#id_province": "TO",
    "#id_contact_first_name": "Luca",
    "#id_contact_last_name": "Neri",
    "#id_contact_email": "luca.neri@nuovaimpresa.example",
    "#id_contact_phone": "+39 011 7654321",
}


def focused(page) -> dict:
    return page.evaluate(
        """() => ({
          id: document.activeElement.id,
          tag: document.activeElement.tagName.toLowerCase(),
          text: document.activeElement.innerText || "",
        })"""
    )


def described_by_text(page, selector: str) -> str:
    return page.evaluate(
        """(selector) => document.querySelector(selector).getAttribute("aria-describedby")
             .split(" ").map((id) => document.getElementById(id)?.innerText || "").join(" ")""",
        selector,
    )


def test_the_first_tab_is_the_skip_link_to_the_content(signed_in_page):
    page = signed_in_page(UserFactory(reseller=reseller_user().reseller))

    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Vai al contenuto"
    expect(page.get_by_role("link", name="Vai al contenuto")).to_be_visible()
    page.keyboard.press("Enter")

    assert focused(page)["id"] == "content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('content').contains(document.activeElement)")


def test_wizard_buttons_tab_left_to_right_and_enter_goes_forward(signed_in_page):
    user = reseller_user()
    checkout_ready_cart(user=user)
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}{reverse('purchase:customer')}")
    page.get_by_label("per un nuovo cliente").check()
    page.get_by_role("button", name="Prossimo >>").click()
    expect(page.locator("[data-wizard-step=company]")).to_be_visible()

    back = page.get_by_role("button", name="<< Indietro")
    forward = page.get_by_role("button", name="Prossimo >>")
    assert back.bounding_box()["x"] < forward.bounding_box()["x"]
    back.focus()
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Prossimo >>"

    # Enter in a field submits «Prossimo >>», not the «<< Indietro» now first in the markup
    for selector, value in COMPANY.items():
        page.fill(selector, value)
    page.locator("#id_company_name").press("Enter")
    expect(page.locator("[data-wizard-step=tenant]")).to_be_visible()


def test_focus_stays_on_aggiorna_and_goes_to_the_heading_after_rimuovi(signed_in_page):
    user = order_user()
    cart = checked_out_cart(user=user, addon_quantity=2)
    base_line = cart.lines.get(base_line__isnull=True)
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}{reverse('checkout:cart')}")
    page.evaluate("window.cartPageNotReloaded = true")

    page.locator(f"#quantita-{base_line.pk}").fill("6")
    page.locator(f"#aggiorna-{base_line.pk}").click()
    expect(page.locator(f"#quantita-{base_line.pk}")).to_have_attribute("value", "6")
    assert focused(page)["id"] == f"aggiorna-{base_line.pk}"

    page.locator(f"#rimuovi-{base_line.pk}").click()
    expect(page.locator("[data-cart-empty]")).to_be_visible()
    assert focused(page) == {"id": "", "tag": "h1", "text": "Carrello"}
    assert page.evaluate("window.cartPageNotReloaded") is True


def test_a_refused_quantity_is_described_focused_and_announced(signed_in_page):
    user = order_user()
    line = checked_out_cart(user=user).lines.get()
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}{reverse('checkout:cart')}")

    page.locator(f"#quantita-{line.pk}").fill("0")
    page.locator(f"#aggiorna-{line.pk}").click()

    field = page.locator(f"#quantita-{line.pk}")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert focused(page)["id"] == f"quantita-{line.pk}"
    error = page.locator(f"#errore-quantita-{line.pk}")
    assert error.get_attribute("role") == "alert"
    assert described_by_text(page, f"#quantita-{line.pk}") == error.inner_text()
    assert page_problems(page) == []


def test_a_refused_domain_prefix_is_described_and_focused(signed_in_page, pc_sandbox):
    user = reseller_user()
    checkout_ready_cart(user=user)
    page = signed_in_page(user)
    page.goto(f"{page.live_server_url}{reverse('purchase:customer')}")
    page.get_by_label("per un nuovo cliente").check()
    page.get_by_role("button", name="Prossimo >>").click()
    for selector, value in COMPANY.items():
        page.fill(selector, value)
    page.get_by_role("button", name="Prossimo >>").click()

    page.get_by_label("Domain Prefix").fill("nuova-impresa")
    page.get_by_role("button", name="Prossimo >>").click()
    page.wait_for_load_state()

    field = page.get_by_label("Domain Prefix")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert focused(page)["id"] == field.get_attribute("id")
    assert "solo lettere e cifre" in described_by_text(page, "#id_tenant_domain_prefix")
    assert page_problems(page) == []


def test_a_wrong_password_is_announced_and_takes_the_focus(page):
    user = UserFactory()
    page.goto(f"{page.live_server_url}{reverse('login')}")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill("non-questa")
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state()

    summary = page.locator("[data-error-summary]")
    assert summary.get_attribute("role") == "alert"
    assert "Inserisci" in summary.inner_text()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert page_problems(page) == []


@pytest.mark.phone
def test_checkout_tapped_through_on_a_phone(pc_sandbox, signed_in_page):
    """From the product page to the order on a 375 px touch screen: every page fits, the
    terms checkbox and every button take a tap."""
    user = order_user()
    sandbox_plan(BUSINESS_STANDARD)
    TermsVersionFactory()
    page = signed_in_page(user)

    def tap(locator) -> None:
        with page.expect_navigation():
            locator.tap()
        page.wait_for_load_state()

    def fits() -> None:
        width = page_width(page)
        assert width.fits, f"{page.url}: {width.document}px on a {width.viewport}px screen"

    page.goto(f"{page.live_server_url}{reverse('catalog:product', args=[BUSINESS_STANDARD[0]])}")
    fits()
    row = page.locator("[data-plan][data-term='P1Y'][data-billing='monthly']")
    tap(row.get_by_role("button", name="Aggiungi al carrello"))
    fits()
    tap(page.get_by_role("link", name="Vai al carrello"))
    fits()
    # Nothing of a cart line is left outside the screen, not even inside a scrolling box
    for element in (
        page.locator("[data-line-total]").first,
        page.locator("[data-line-estimate]").first,
        page.get_by_role("button", name="Aggiorna").first,
        page.get_by_role("button", name=re.compile("^Rimuovi")).first,
    ):
        box = element.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375

    terms = page.get_by_label("Ho letto e accetto i termini di vendita")
    terms.tap()
    expect(terms).to_be_checked()
    tap(page.get_by_role("button", name="Checkout >>"))

    page.get_by_label("per un nuovo cliente").tap()
    fits()
    tap(page.get_by_role("button", name="Prossimo >>"))
    for selector, value in COMPANY.items():
        page.fill(selector, value)
    fits()
    tap(page.get_by_role("button", name="Prossimo >>"))
    page.get_by_label("Domain Prefix").fill(FREE_PREFIX)
    fits()
    tap(page.get_by_role("button", name="Prossimo >>"))
    fits()
    tap(page.get_by_role("button", name="Prossimo >>"))
    expect(page.locator("[data-wizard-step=confirm]")).to_be_visible()
    fits()
    tap(page.get_by_role("button", name="Prossimo >>"))

    expect(page).to_have_url(re.compile(r"/ordini/\d+/completato/$"))
    fits()
    assert Order.objects.get().tenant_domain == f"{FREE_PREFIX}.onmicrosoft.com"
