"""Cart pages: add, «Riepilogo», changes in place, «Checkout >>», nothing of another reseller."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checkout.models import Cart, CartLine, TermsAcceptance
from checkout.prorata import line_estimate
from checkout.services import cart_add_plan, cart_checkout_start
from checkout.tests.factories import (
    TermsVersionFactory,
    business_standard_with_archiving,
    plan_on_sale,
    reseller_user,
    sku_create,
)
from storefront.dates import rome_today
from storefront.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def user():
    return reseller_user()


@pytest.fixture
def plans():
    return business_standard_with_archiving()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def add(user, plan, quantity=5, addons=None) -> CartLine:
    return cart_add_plan(
        user=user, plan_id=plan.pk, quantity=quantity, addon_quantities=addons or {}
    )


def cart_state() -> list[tuple]:
    """Every cart and line as it is now, to prove a refused request changed nothing."""
    return [
        *Cart.objects.order_by("pk").values_list(
            "pk", "status", "checkout_started_at", "terms_acceptance", "purchase_type"
        ),
        *CartLine.objects.order_by("pk").values_list("pk", "cart", "plan", "quantity", "base_line"),
    ]


# --- Cart page ---------------------------------------------------------------------------------


def test_empty_cart_page(signed_in):
    response = signed_in.get(reverse("checkout:cart"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Il carrello è vuoto." in content
    assert "Acquista altro" in content
    assert not Cart.objects.exists()  # reading the cart never creates one


def test_cart_page_shows_the_summary_in_italian(signed_in, user, plans):
    # Given Business Standard ×5 with Exchange Online Archiving ×5
    base_plan, addon_plan = plans
    add(user, base_plan, 5, {addon_plan.pk: 5})

    # When the cart is shown
    response = signed_in.get(reverse("checkout:cart"))

    # Then lines, totals per month, VAT apart and the estimate are there, the Italian way
    content = response.content.decode()
    today = rome_today()
    estimate = line_estimate(
        unit_price_for_term=Decimal("140.40"), months_in_term=12, quantity=5, today=today
    ) + line_estimate(
        unit_price_for_term=Decimal("36.00"), months_in_term=12, quantity=5, today=today
    )
    assert response.status_code == 200
    for text in [
        "Riepilogo",
        "Microsoft 365 Business Standard",
        "Exchange Online Archiving",
        "€\xa0140,40",
        "€\xa058,50",  # 11,70 × 5 each month
        "€\xa073,50",  # monthly total excluding VAT
        "IVA 22 %",
        "€\xa016,17",
        "€\xa089,67",
        "Utilizzo stimato",
        "stima, IVA esclusa",
        f"€\xa0{estimate:.2f}".replace(".", ","),
        "Ho letto e accetto i",
        "Per rivendita",
        "Checkout >>",
    ]:
        assert text in content, text
    assert response.context["summary"].estimated_usage_total == estimate


def test_cart_page_says_when_a_price_changed(signed_in, user, plans):
    base_plan, _addon = plans
    line = add(user, base_plan)
    CartLine.objects.filter(pk=line.pk).update(unit_price_seen=Decimal("130.00"))
    content = signed_in.get(reverse("checkout:cart")).content.decode()
    assert "Alcuni prezzi sono cambiati" in content
    assert "Prezzo cambiato: era €\xa0130,00" in content


def test_cart_page_queries_do_not_grow_with_the_lines(client, plans):
    # Given a cart with 1 line and another with 20 (10 base lines with an add-on each)
    base_plan, _addon = plans
    small, large = reseller_user(), reseller_user()
    add(small, base_plan)
    for number in range(10):
        base = add(large, plan_on_sale(sku_create(title=f"Base {number}"), price="60.00"))
        addon_sku = sku_create(
            title=f"Add-on {number}", is_addon=True, prerequisites=(base.plan.sku,)
        )
        CartLine.objects.create(
            cart=base.cart,
            plan=plan_on_sale(addon_sku, price="12.00"),
            base_line=base,
            quantity=1,
            unit_price_seen="12.00",
        )
    assert CartLine.objects.filter(cart__user=large).count() == 20

    def queries_for(user) -> int:
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("checkout:cart")).status_code == 200
        return len(queries)

    # Then the page runs the same number of queries
    assert queries_for(small) == queries_for(large)


def test_nav_shows_the_number_of_lines(signed_in, user, plans):
    base_plan, addon_plan = plans
    add(user, base_plan, 5, {addon_plan.pk: 2})
    response = signed_in.get(reverse("checkout:cart"))
    assert response.context["cart_line_count"] == 2
    assert "data-cart-count>2</span>" in response.content.decode()


def test_nav_count_is_zero_for_anonymous_and_staff(client):
    assert client.get(reverse("login")).context["cart_line_count"] == 0
    client.force_login(StaffUserFactory())
    assert client.get(reverse("checkout:cart")).context["cart_line_count"] == 0


# --- Add to cart -------------------------------------------------------------------------------


def test_add_to_cart_then_choose_go_to_cart_or_buy_more(signed_in, user, plans):
    # Given the product page's form for Business Standard with its add-on ticked
    base_plan, addon_plan = plans
    data = {
        "plan": base_plan.pk,
        "quantity": "5",
        "addons": [addon_plan.pk],
        f"addon_quantity_{addon_plan.pk}": "",
    }

    # When it is posted
    response = signed_in.post(reverse("checkout:cart_add"), data)

    # Then the lines are in the cart, the add-on with the base quantity
    base = CartLine.objects.get(base_line=None)
    assert (base.plan, base.quantity) == (base_plan, 5)
    assert base.addon_lines.get().quantity == 5
    assert response.status_code == 302
    assert response["Location"] == reverse("checkout:cart_added", args=[base.pk])

    # And the next page offers «Vai al carrello» and «Acquista altro»
    page = signed_in.get(response["Location"]).content.decode()
    assert "Aggiunto al carrello" in page
    assert f'href="{reverse("checkout:cart")}"' in page and "Vai al carrello" in page
    assert f'href="{reverse("catalog:index")}"' in page and "Acquista altro" in page


def test_added_page_is_for_base_lines_only(signed_in, user, plans):
    base_plan, addon_plan = plans
    addon = add(user, base_plan, 5, {addon_plan.pk: 5}).addon_lines.get()
    assert signed_in.get(reverse("checkout:cart_added", args=[addon.pk])).status_code == 404


def test_add_to_cart_error_keeps_what_was_typed(signed_in, plans):
    base_plan, addon_plan = plans
    response = signed_in.post(
        reverse("checkout:cart_add"),
        {
            "plan": base_plan.pk,
            "quantity": "5",
            "addons": [addon_plan.pk],
            f"addon_quantity_{addon_plan.pk}": "7",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "non possono superare quelle del prodotto base" in content
    assert 'value="7"' in content and 'value="5"' in content
    assert f'action="{reverse("checkout:cart_add")}"' in content
    assert not CartLine.objects.exists()


def test_add_to_cart_refused_by_the_service_shows_why(signed_in, user, plans):
    base_plan, _addon = plans
    add(user, base_plan, 295)
    response = signed_in.post(
        reverse("checkout:cart_add"), {"plan": base_plan.pk, "quantity": "10"}
    )
    assert response.status_code == 200
    assert "Nel carrello ce ne sono già 295." in response.content.decode()
    assert CartLine.objects.get().quantity == 295


@pytest.mark.parametrize(
    "data",
    [
        {"quantity": "5"},
        {"plan": "", "quantity": "5"},
        {"plan": "abc", "quantity": "5"},
        {"plan": "9" * 40, "quantity": "5"},
        {"plan": "²", "quantity": "5"},
        {"plan": "987654321", "quantity": "5"},
    ],
)
def test_add_to_cart_with_a_missing_or_bogus_plan_goes_back_to_the_catalog(signed_in, data):
    response = signed_in.post(reverse("checkout:cart_add"), data)
    assert response.status_code == 302 and response["Location"] == reverse("catalog:index")
    assert not CartLine.objects.exists()


@pytest.mark.parametrize(
    "quantity", ["", "abc", "-3", "0", "1e3", "9" * 30, "9" * 5000, "<b>5</b>"]
)
def test_add_to_cart_with_bad_quantities_never_fails(signed_in, plans, quantity):
    base_plan, _addon = plans
    response = signed_in.post(
        reverse("checkout:cart_add"), {"plan": base_plan.pk, "quantity": quantity}
    )
    assert response.status_code == 200
    assert "<b>5</b>" not in response.content.decode()
    assert not CartLine.objects.exists()


def test_addon_plan_cannot_be_added_alone(signed_in, plans):
    _base, addon_plan = plans
    response = signed_in.post(
        reverse("checkout:cart_add"), {"plan": addon_plan.pk, "quantity": "1"}
    )
    assert response.status_code == 200
    assert "si acquista insieme a un prodotto base" in response.content.decode()
    assert not CartLine.objects.exists()


# --- Changing lines ----------------------------------------------------------------------------


def test_change_quantity_redirects_to_the_cart(signed_in, user, plans):
    base_plan, _addon = plans
    line = add(user, base_plan)
    response = signed_in.post(
        reverse("checkout:line_set_quantity", args=[line.pk]), {"quantity": "8"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("checkout:cart")
    line.refresh_from_db()
    assert line.quantity == 8


@pytest.mark.parametrize(
    ("quantity", "message"),
    [
        ("", "Indica il numero di licenze."),
        ("abc", "Il numero di licenze deve essere un numero intero."),
        ("-3", "Per Microsoft 365 Business Standard serve almeno 1 licenza."),
        ("301", "si possono acquistare al massimo 300 licenze"),
        ("9" * 30, "si possono acquistare al massimo 300 licenze"),
    ],
)
def test_bad_quantity_is_shown_on_its_line_with_what_was_typed(
    signed_in, user, plans, quantity, message
):
    base_plan, _addon = plans
    line = add(user, base_plan)
    before = cart_state()
    response = signed_in.post(
        reverse("checkout:line_set_quantity", args=[line.pk]), {"quantity": quantity}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f'value="{quantity}"' in content
    assert cart_state() == before


def test_remove_line_and_its_addons(signed_in, user, plans):
    base_plan, addon_plan = plans
    line = add(user, base_plan, 5, {addon_plan.pk: 5})
    response = signed_in.post(reverse("checkout:line_remove", args=[line.pk]))
    assert response.status_code == 302
    assert not CartLine.objects.exists()


def test_add_an_addon_from_the_cart(signed_in, user, plans):
    base_plan, addon_plan = plans
    line = add(user, base_plan, 4)
    page = signed_in.get(reverse("checkout:cart")).content.decode()
    assert "Aggiungi un add-on a Microsoft 365 Business Standard" in page
    response = signed_in.post(
        reverse("checkout:line_add_addon", args=[line.pk]), {"plan": addon_plan.pk, "quantity": ""}
    )
    assert response.status_code == 302
    assert line.addon_lines.get().quantity == 4  # blank: as many as the base


def test_addon_from_the_cart_refused_keeps_what_was_typed(signed_in, user, plans):
    base_plan, addon_plan = plans
    line = add(user, base_plan, 4)
    response = signed_in.post(
        reverse("checkout:line_add_addon", args=[line.pk]), {"plan": addon_plan.pk, "quantity": "9"}
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "non possono superare quelle di Microsoft 365 Business Standard (4)" in content
    assert 'value="9"' in content
    assert not line.addon_lines.exists()


@pytest.mark.parametrize("plan", ["", "x", "9" * 30])
def test_addon_from_the_cart_with_a_bogus_plan(signed_in, user, plans, plan):
    base_plan, _addon = plans
    line = add(user, base_plan, 4)
    response = signed_in.post(
        reverse("checkout:line_add_addon", args=[line.pk]), {"plan": plan, "quantity": "1"}
    )
    assert response.status_code == 200
    assert not line.addon_lines.exists()


def test_post_only_urls_refuse_get(signed_in, user, plans):
    base_plan, _addon = plans
    line = add(user, base_plan)
    for url in [
        reverse("checkout:cart_add"),
        reverse("checkout:line_set_quantity", args=[line.pk]),
        reverse("checkout:line_remove", args=[line.pk]),
        reverse("checkout:line_add_addon", args=[line.pk]),
        reverse("checkout:checkout_start"),
    ]:
        assert signed_in.get(url).status_code == 405, url
    assert CartLine.objects.get().quantity == 5


def test_anonymous_visitor_is_sent_to_sign_in(client, plans):
    base_plan, _addon = plans
    response = client.post(reverse("checkout:cart_add"), {"plan": base_plan.pk, "quantity": "5"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not Cart.objects.exists()


# --- «Checkout >>» -----------------------------------------------------------------------------


def test_checkout_without_the_terms_posted_directly_is_refused(signed_in, user, plans):
    # Given a cart and published terms
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    add(user, base_plan)
    before = cart_state()

    # When «Checkout >>» is posted without the terms box, as a script would
    response = signed_in.post(
        reverse("checkout:checkout_start"),
        {"terms_version": terms.pk, "purchase_type": "resale"},
    )

    # Then the server refuses, says why and records nothing
    assert response.status_code == 200
    assert (
        "Per procedere devi leggere e accettare i termini di vendita." in response.content.decode()
    )
    assert not TermsAcceptance.objects.exists()
    assert cart_state() == before


def test_checkout_with_the_terms_records_them_and_goes_to_the_customer_step(signed_in, user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    add(user, base_plan)
    response = signed_in.post(
        reverse("checkout:checkout_start"),
        {"terms_accepted": "on", "terms_version": terms.pk, "purchase_type": "resale"},
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("purchase:customer")
    acceptance = TermsAcceptance.objects.get()
    assert (acceptance.user, acceptance.reseller, acceptance.terms_version) == (
        user,
        user.reseller,
        terms,
    )
    assert acceptance.ip_address == "198.51.100.4"
    cart = Cart.objects.get()
    assert cart.is_checkout_started and cart.purchase_type == Cart.PurchaseType.RESALE
    page = signed_in.get(reverse("checkout:cart")).content.decode()
    assert "Hai già confermato questo carrello" in page


@pytest.mark.parametrize("purchase_type", ["", "gift", "<script>"])
def test_checkout_with_a_bad_purchase_type_is_refused(signed_in, user, plans, purchase_type):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    add(user, base_plan)
    response = signed_in.post(
        reverse("checkout:checkout_start"),
        {"terms_accepted": "on", "terms_version": terms.pk, "purchase_type": purchase_type},
    )
    assert response.status_code == 200
    assert "Scegli il tipo di acquisto." in response.content.decode()
    assert not TermsAcceptance.objects.exists()


def test_checkout_without_published_terms_gives_a_clear_message(signed_in, user, plans):
    base_plan, _addon = plans
    add(user, base_plan)
    page = signed_in.get(reverse("checkout:cart")).content.decode()
    assert "I termini di vendita non sono ancora pubblicati" in page
    response = signed_in.post(
        reverse("checkout:checkout_start"),
        {"terms_accepted": "on", "terms_version": "", "purchase_type": "resale"},
    )
    assert response.status_code == 200
    assert "non è possibile procedere" in response.content.decode()
    assert not TermsAcceptance.objects.exists()


def test_checkout_of_an_empty_cart_says_so(signed_in):
    terms = TermsVersionFactory()
    response = signed_in.post(
        reverse("checkout:checkout_start"),
        {"terms_accepted": "on", "terms_version": terms.pk, "purchase_type": "resale"},
    )
    assert response.status_code == 200
    assert "Il carrello è vuoto" in response.content.decode()
    assert not TermsAcceptance.objects.exists()


def test_terms_page_shows_the_version_in_force(signed_in):
    TermsVersionFactory(version="2026.9", body="Clausola di prova.")
    content = signed_in.get(reverse("checkout:terms")).content.decode()
    assert "2026.9" in content and "Clausola di prova." in content


def test_terms_page_without_terms(signed_in):
    response = signed_in.get(reverse("checkout:terms"))
    assert response.status_code == 200
    assert "non sono ancora pubblicati" in response.content.decode()


# --- Nothing of another reseller ---------------------------------------------------------------


@pytest.fixture
def other_reseller_cart(plans):
    """Reseller B's cart, checked out, with a base line and its add-on."""
    base_plan, addon_plan = plans
    other = reseller_user()
    terms = TermsVersionFactory()
    base = add(other, base_plan, 5, {addon_plan.pk: 2})
    cart_checkout_start(
        user=other,
        terms_accepted=True,
        terms_version_id=terms.pk,
        purchase_type="resale",
        ip_address="127.0.0.1",
    )
    base.cart.refresh_from_db()
    return base


@pytest.mark.parametrize("colleague", [False, True], ids=["other reseller", "same reseller"])
def test_another_users_cart_cannot_be_seen_changed_or_checked_out(
    client, plans, other_reseller_cart, colleague
):
    # Given user A (of another reseller, or a colleague of B) signed in, and B's cart
    _base, addon_plan = plans
    b_line = other_reseller_cart
    b_addon = b_line.addon_lines.get()
    a = UserFactory(reseller=b_line.cart.reseller) if colleague else reseller_user()
    client.force_login(a)
    before = cart_state()

    # When A tries every cart URL on B's lines
    attempts = [
        (reverse("checkout:line_set_quantity", args=[b_line.pk]), {"quantity": "1"}),
        (reverse("checkout:line_set_quantity", args=[b_addon.pk]), {"quantity": "1"}),
        (reverse("checkout:line_remove", args=[b_line.pk]), {}),
        (reverse("checkout:line_remove", args=[b_addon.pk]), {}),
        (
            reverse("checkout:line_add_addon", args=[b_line.pk]),
            {"plan": addon_plan.pk, "quantity": "1"},
        ),
    ]
    # Then every one is a 404
    for url, data in attempts:
        assert client.post(url, data).status_code == 404, url
    assert client.get(reverse("checkout:cart_added", args=[b_line.pk])).status_code == 404

    # And A's own pages show nothing of B's, and A's checkout never touches B's cart
    page = client.get(reverse("checkout:cart")).content.decode()
    assert "Il carrello è vuoto." in page and "Business Standard" not in page
    response = client.post(
        reverse("checkout:checkout_start"),
        {"terms_accepted": "on", "terms_version": b_line.cart.terms_acceptance.terms_version_id},
    )
    assert response.status_code == 200
    assert cart_state() == before
    assert TermsAcceptance.objects.count() == 1


def test_line_ids_that_do_not_exist_are_404(signed_in):
    for url in [
        "/carrello/righe/0/licenze/",
        f"/carrello/righe/{2**63}/licenze/",
        f"/carrello/righe/{'9' * 40}/rimuovi/",
        f"/carrello/aggiunto/{2**64}/",
    ]:
        method = signed_in.get if "aggiunto" in url else signed_in.post
        assert method(url, {"quantity": "1"}).status_code == 404, url


def test_ordered_cart_line_can_no_longer_be_changed(signed_in, user, plans):
    base_plan, _addon = plans
    line = add(user, base_plan)
    Cart.objects.filter(pk=line.cart_id).update(status=Cart.Status.ORDERED)
    response = signed_in.post(
        reverse("checkout:line_set_quantity", args=[line.pk]), {"quantity": "9"}
    )
    assert response.status_code == 404
    line.refresh_from_db()
    assert line.quantity == 5


# --- Admin -------------------------------------------------------------------------------------


def test_admin_lists_carts_and_keeps_accepted_terms_read_only(client, other_reseller_cart):
    client.force_login(StaffUserFactory())
    cart = other_reseller_cart.cart
    terms = cart.terms_acceptance.terms_version
    assert client.get(reverse("admin:checkout_cart_changelist")).status_code == 200
    assert client.get(reverse("admin:checkout_cart_change", args=[cart.pk])).status_code == 200
    assert client.get(reverse("admin:checkout_termsacceptance_changelist")).status_code == 200
    response = client.post(
        reverse("admin:checkout_termsversion_change", args=[terms.pk]),
        {"version": terms.version, "title": "Cambiato", "body": "Cambiato", "published_at_0": ""},
    )
    terms.refresh_from_db()
    assert terms.body != "Cambiato" and terms.title != "Cambiato"
    assert response.status_code in (200, 302)
    assert client.get(reverse("admin:checkout_termsversion_add")).status_code == 200
