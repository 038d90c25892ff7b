import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from catalog.models import Plan
from catalog.selectors import CATALOG_PAGE_SIZE
from catalog.tests.factories import AddonSkuFactory, ProductFactory, SkuFactory, priced_plan
from storefront.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PLAN_SHAPES = [
    (Plan.Term.P1M, Plan.Billing.MONTHLY, "12.76"),
    (Plan.Term.P1Y, Plan.Billing.MONTHLY, "127.64"),
    (Plan.Term.P1Y, Plan.Billing.ANNUAL, "127.64"),
]


@pytest.fixture
def reseller_client(client):
    client.force_login(UserFactory())
    return client


def sellable_sku(**sku_fields):
    sku = SkuFactory(**sku_fields)
    plans = [
        priced_plan(sku=sku, term=term, billing=billing, cost=cost)
        for term, billing, cost in PLAN_SHAPES
    ]
    return sku, plans


def business_standard():
    """Microsoft 365 Business Standard with an add-on valid for it and one that is not."""
    sku, plans = sellable_sku(
        product__product_id="CFQ7TTC0LDPB",
        product__title="Microsoft 365 Business Standard",
        product__description="Tutto di Business Basic più le app desktop di Office.",
        max_quantity=300,
    )
    archiving = AddonSkuFactory(
        product__product_id="CFQ7TTC0LH0Z",
        title="Exchange Online Archiving for Exchange Online",
        prerequisites=[sku],
    )
    archiving_plan = priced_plan(sku=archiving, cost="30.55")
    other = AddonSkuFactory(title="Microsoft 365 E5 Security", prerequisites=[SkuFactory()])
    priced_plan(sku=other, cost="121.09")
    return sku, plans, archiving_plan


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Access ---------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    business_standard()
    for response in (
        client.get(reverse("catalog:index")),
        client.get(reverse("catalog:product", args=["CFQ7TTC0LDPB"])),
    ):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- Catalog --------------------------------------------------------------------------------------


def test_catalog_groups_products_by_family_base_first_with_their_from_price(reseller_client):
    business_standard()
    sellable_sku(product__title="Exchange Online (Plan 1)", product__family="Exchange Online")

    page = reseller_client.get(reverse("catalog:index")).content.decode()

    assert (
        page.index("Exchange Online") < page.index("Microsoft 365 Business") < page.index("Add-on")
    )
    assert "Microsoft 365 Business Standard" in page
    assert "Tutto di Business Basic più le app desktop di Office." in page
    assert 'da <strong class="price">€\u00a011,70</strong> /utente/mese' in page
    assert page.count("Visualizza i piani") == 4
    assert 'href="/catalogo/CFQ7TTC0LDPB/"' in page
    assert "IVA esclusa" in page


def test_catalog_search_matches_titles_and_ids_ignoring_case(reseller_client):
    business_standard()
    sellable_sku(product__title="Exchange Online (Plan 1)", title="Exchange Online (Piano 1)")

    def found(query):
        response = reseller_client.get(reverse("catalog:index"), {"q": query})
        return response.content.decode()

    assert "Business Standard" in found("standard") and "Exchange" not in found("standard")
    assert "Business Standard" in found("ldpb")
    assert "Exchange Online (Plan 1)" in found("PIANO 1")
    nothing = found("<script>alert(1)</script>")
    assert "Nessun prodotto corrisponde a «&lt;script&gt;alert(1)&lt;/script&gt;»." in nothing
    assert "<script>alert(1)" not in nothing


def test_products_without_a_price_in_force_are_not_in_the_catalog(reseller_client):
    business_standard()
    ProductFactory(title="Prodotto senza prezzi")
    page = reseller_client.get(reverse("catalog:index")).content.decode()
    assert "Prodotto senza prezzi" not in page


def test_catalog_runs_a_fixed_number_of_queries_whatever_the_number_of_products(reseller_client):
    def build(count):
        for _ in range(count):
            sku, _plans = sellable_sku()
            priced_plan(sku=AddonSkuFactory(prerequisites=[sku]), cost="20.73")

    build(5)
    small = count_queries(reseller_client, reverse("catalog:index"))
    build(195)
    large = count_queries(reseller_client, reverse("catalog:index"))
    searched = count_queries(reseller_client, reverse("catalog:index") + "?q=prodotto")

    assert small == large == searched


# --- Product page ---------------------------------------------------------------------------------


def test_product_page_lists_every_plan_with_italian_prices_and_its_add_ons(reseller_client):
    _sku, plans, archiving_plan = business_standard()

    response = reseller_client.get(reverse("catalog:product", args=["CFQ7TTC0LDPB"]))

    page = response.content.decode()
    assert response.status_code == 200
    for label in ("1 mese", "1 anno", "mensile", "annuale", "IVA esclusa", "da 1 a 300 licenze"):
        assert label in page
    assert page.count("Aggiungi al carrello") == 3
    assert "€\u00a014,04" in page  # P1M: round_money(12.76 × 1.1)
    assert "€\u00a0140,40" in page and "€\u00a011,70" in page
    assert "€\u00a0153,17" in page  # ERP
    assert "Exchange Online Archiving for Exchange Online" in page
    assert "€\u00a033,61" in page  # the add-on: 30.55 × 1.1
    assert "Microsoft 365 E5 Security" not in page
    assert f'name="addons" value="{archiving_plan.pk}"' in page
    assert f'name="addon_quantity_{archiving_plan.pk}"' in page
    # the add-on has a P1Y annual plan only: offered with that base plan alone
    assert page.count('name="addons"') == 1
    assert response.context["sku_rows"][0][1][2][0].plan == plans[2]


def test_an_add_on_page_points_to_its_base_products_instead_of_selling_alone(reseller_client):
    business_standard()
    page = reseller_client.get(reverse("catalog:product", args=["CFQ7TTC0LH0Z"]))
    text = page.content.decode()
    assert "Si acquista insieme a un prodotto base" in text
    assert 'href="/catalogo/CFQ7TTC0LDPB/"' in text
    assert "Aggiungi al carrello" not in text


def test_an_unknown_product_is_404(reseller_client):
    assert reseller_client.get(reverse("catalog:product", args=["NONESISTE"])).status_code == 404


def test_product_page_runs_a_fixed_number_of_queries_whatever_the_number_of_plans(reseller_client):
    small_sku, _plans = sellable_sku(product__product_id="PICCOLO")
    priced_plan(sku=AddonSkuFactory(prerequisites=[small_sku]), cost="20.73")
    large_product = ProductFactory(product_id="GRANDE")
    for number in range(20):
        sku, _plans = sellable_sku(product=large_product, sku_id=f"{number:04d}")
        for _ in range(5):
            addon = AddonSkuFactory(prerequisites=[sku])
            for term, billing, cost in PLAN_SHAPES:
                priced_plan(sku=addon, term=term, billing=billing, cost=cost)

    small = count_queries(reseller_client, reverse("catalog:product", args=["PICCOLO"]))
    large = count_queries(reseller_client, reverse("catalog:product", args=["GRANDE"]))

    assert small == large


# --- «Aggiungi al carrello» (checkout:cart_add, with the catalog's AddToCartForm) ---------------
# Adding, an add-on bought alone, GET (405) and sign-in: checkout/tests/test_views.py.


def test_the_product_page_posts_to_the_cart_once_it_exists(reseller_client):
    business_standard()
    page = reseller_client.get(reverse("catalog:product", args=["CFQ7TTC0LDPB"]))
    assert page.content.decode().count(f'action="{reverse("checkout:cart_add")}"') == 3


def test_a_wrong_quantity_is_shown_in_italian_and_what_was_typed_is_kept(reseller_client):
    _sku, plans, archiving_plan = business_standard()

    response = reseller_client.post(
        reverse("checkout:cart_add"),
        {
            "plan": plans[2].pk,
            "quantity": "12",
            "addons": [archiving_plan.pk],
            f"addon_quantity_{archiving_plan.pk}": "13",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "Le licenze di Exchange Online Archiving for Exchange Online non possono superare "
        "quelle del prodotto base (12)."
    ) in page
    assert 'value="12"' in page and 'value="13"' in page
    assert (
        f'value="{archiving_plan.pk}" id="plan-{plans[2].pk}-addon-{archiving_plan.pk}" checked'
        in page
    )


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        (
            "301",
            "Per Microsoft 365 Business Standard si possono acquistare al massimo 300 licenze.",
        ),
        ("0", "Per Microsoft 365 Business Standard serve almeno 1 licenza."),
        ("", "Indica il numero di licenze."),
        ("<b>tre</b>", "Il numero di licenze deve essere un numero intero."),
        ("9" * 40, "al massimo 300 licenze"),
    ],
)
def test_quantities_outside_the_sku_limits_are_refused(reseller_client, quantity, message):
    _sku, plans, _archiving = business_standard()
    response = reseller_client.post(
        reverse("checkout:cart_add"), {"plan": plans[0].pk, "quantity": quantity}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "<b>tre</b>" not in page


@pytest.mark.parametrize("plan", ["", "abc", "999999", "-1", "1" * 40])
def test_an_unknown_plan_sends_back_to_the_catalog_with_a_message(reseller_client, plan):
    business_standard()
    response = reseller_client.post(
        reverse("checkout:cart_add"), {"plan": plan, "quantity": "1"}, follow=True
    )
    assert response.redirect_chain == [("/catalogo/", 302)]
    assert "Il piano scelto non è più in vendita" in response.content.decode()


def test_an_add_on_of_another_sku_or_term_is_refused(reseller_client):
    _sku, plans, archiving_plan = business_standard()
    for plan, addon_id in ((plans[0], archiving_plan.pk), (plans[2], "abc")):
        response = reseller_client.post(
            reverse("checkout:cart_add"),
            {"plan": plan.pk, "quantity": "1", "addons": [addon_id]},
        )
        assert response.status_code == 200
        assert (
            "L&#x27;add-on scelto non è disponibile con questo piano." in response.content.decode()
        )


def test_reseller_prices_on_pages_follow_the_reseller_override(client):
    business_standard()
    user = UserFactory(reseller__markup_percent_override=Decimal("15.00"))
    client.force_login(user)
    page = client.get(reverse("catalog:product", args=["CFQ7TTC0LDPB"])).content.decode()
    assert "€\u00a0146,79" in page and "€\u00a0140,40" not in page


def products_on(page: str) -> list[str]:
    return re.findall(r'data-product="([^"]+)"', page)


def test_catalog_is_paged_so_its_page_does_not_grow_with_the_catalog(reseller_client):
    for number in range(CATALOG_PAGE_SIZE + 6):
        sellable_sku(product__title=f"Prodotto {number:03d}", product__family="Famiglia")
    url = reverse("catalog:index")

    first = reseller_client.get(url).content.decode()
    second = reseller_client.get(url, {"pagina": "2"}).content.decode()
    beyond = reseller_client.get(url, {"pagina": "99"}).content.decode()
    garbage = reseller_client.get(url, {"pagina": "<x>"}).content.decode()

    assert first.count("Visualizza i piani") == CATALOG_PAGE_SIZE
    assert "Prodotto 000" in first and f"Prodotto {CATALOG_PAGE_SIZE:03d}" not in first
    assert second.count("Visualizza i piani") == 6
    assert f"Prodotto {CATALOG_PAGE_SIZE:03d}" in second and "Prodotto 000" not in second
    assert "1 / 2" in first and 'href="?pagina=2"' in first
    assert products_on(beyond) == products_on(second)  # past the end: the last page
    assert products_on(garbage) == products_on(first)
    searched = reseller_client.get(url, {"q": "prodotto", "pagina": "2"}).content.decode()
    assert 'href="?q=prodotto&amp;pagina=1"' in searched


def test_catalog_from_price_is_the_lowest_monthly_price_rounded_like_the_product_page(
    reseller_client,
):
    sku = SkuFactory(product__title="Prezzi da arrotondare")
    # 10.005 × 1.1 = 11.0055 → 11.01 for the month; 100.00 × 1.1 / 12 = 9.1666… → 9.17
    priced_plan(sku=sku, term=Plan.Term.P1M, billing=Plan.Billing.MONTHLY, cost="10.005")
    priced_plan(sku=sku, term=Plan.Term.P1Y, billing=Plan.Billing.MONTHLY, cost="100.00")
    priced_plan(sku=sku, term=Plan.Term.P3Y, billing=Plan.Billing.ANNUAL, cost="400.00")

    page = reseller_client.get(reverse("catalog:index")).content.decode()

    assert 'da <strong class="price">€\u00a09,17</strong> /utente/mese' in page
