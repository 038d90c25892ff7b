"""Cart pages, «Checkout >>»: the terms, the purchase type, the terms page; nothing of another
reseller; the admin."""

import pytest
from django.urls import reverse

from checkout.models import Cart, TermsAcceptance
from checkout.services import cart_checkout_start
from checkout.tests.factories import TermsVersionFactory, reseller_user
from checkout.tests.helpers import add, cart_state
from storefront.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db


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
