"""Steps 1 and 2 of the guide in a real browser: «Catalogo» → «Visualizza i piani»."""

import re

import pytest

from catalog.services import catalog_load_demo
from storefront.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reseller_browses_the_catalog_and_sees_the_plans_in_euro(signed_in_page):
    catalog_load_demo()
    page = signed_in_page(UserFactory())

    page.goto(f"{page.live_server_url}/catalogo/")
    card = page.locator("[data-product='CFQ7TTC0LDPB']")
    assert card.get_by_role("heading").inner_text() == "Microsoft 365 Business Standard"
    assert card.locator("[data-from-price]").inner_text() == "da €\u00a011,70 /utente/mese"
    assert page.get_by_text("IVA esclusa").first.is_visible()

    page.get_by_role("searchbox").fill("business standard")
    page.get_by_role("button", name="Cerca").click()
    assert page.locator("[data-product]").count() == 1

    card.get_by_role("link", name="Visualizza i piani").click()
    page.wait_for_url(re.compile(r"/catalogo/CFQ7TTC0LDPB/$"))
    assert page.locator("[data-product-title]").inner_text() == "Microsoft 365 Business Standard"

    annual = page.locator("[data-plan][data-term='P1Y'][data-billing='annual']")
    assert annual.locator("[data-price]").inner_text() == "€\u00a0140,40"
    assert annual.locator("[data-monthly-price]").inner_text() == "€\u00a011,70"
    assert annual.locator("[data-erp-price]").inner_text() == "€\u00a0153,17"
    assert page.locator("[data-plans] tbody tr").count() == 4
    monthly = page.locator("[data-plan][data-term='P1M']")
    assert monthly.locator("[data-price]").inner_text() == "€\u00a014,04"
    assert annual.get_by_role("button", name="Aggiungi al carrello").is_visible()
    assert annual.get_by_label("Licenze", exact=True).input_value() == "1"

    addons = page.locator("[data-addons]")
    assert addons.get_by_text("Exchange Online Archiving for Exchange Online").first.is_visible()
    assert addons.get_by_text("Microsoft Defender for Office 365 (Plan 1)").first.is_visible()
