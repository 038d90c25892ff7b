"""The customers area, and no reseller reaching another's customers anywhere (acceptance 4)."""

import pytest
from django.urls import reverse

from orders.models import Order
from purchase.models import PurchaseDraft
from tenants.models import Customer
from tenants.tests.factories import (
    FABRIKAM_NAME,
    FABRIKAM_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
    checkout_ready_cart,
    draft_ready_to_confirm,
    other_reseller_user,
    reseller_user,
)

pytestmark = pytest.mark.django_db

LIST_URL = reverse("tenants:customer_list")
CUSTOMER_URL = reverse("purchase:customer")
CONFIRM_URL = reverse("purchase:confirm")


def detail_url(customer) -> str:
    return reverse("tenants:customer_detail", kwargs={"pk": customer.pk})


def check_url(customer) -> str:
    return reverse("tenants:customer_relationship_check", kwargs={"pk": customer.pk})


@pytest.fixture
def alice(client):
    user = reseller_user()
    client.force_login(user)
    return user


@pytest.fixture
def bobs_customer():
    bob = other_reseller_user()
    return CustomerFactory(
        reseller=bob.reseller,
        company_name="Segreto Di Bob S.r.l.",
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.PENDING,
    )


# --- The customers area -----------------------------------------------------------------------


def test_customer_list_shows_this_resellers_customers_by_name(client, alice):
    CustomerFactory(reseller=alice.reseller, company_name="Zeta S.r.l.")
    CustomerFactory(reseller=alice.reseller, company_name="Alfa S.p.A.")

    response = client.get(LIST_URL)

    assert [customer.company_name for customer in response.context["customers"]] == [
        "Alfa S.p.A.",
        "Zeta S.r.l.",
    ]


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("alfa", ["Alfa S.p.A."]),
        ("torino", ["Beta S.r.l."]),
        ("betatenant.onmicrosoft.com", ["Beta S.r.l."]),
        ("S.p.A. alfa", ["Alfa S.p.A."]),
        ("nessuno", []),
    ],
)
def test_customer_search_matches_every_word(client, alice, search, expected):
    CustomerFactory(reseller=alice.reseller, company_name="Alfa S.p.A.", city="Milano")
    CustomerFactory(
        reseller=alice.reseller,
        company_name="Beta S.r.l.",
        city="Torino",
        tenant_domain_prefix="betatenant",
    )

    response = client.get(LIST_URL, {"q": search})

    assert [customer.company_name for customer in response.context["customers"]] == expected


def test_customer_detail_shows_the_data_and_the_tenant(client, alice):
    customer = CustomerFactory(reseller=alice.reseller, company_name="Alfa S.p.A.")

    page = client.get(detail_url(customer)).content.decode()

    assert "Alfa S.p.A." in page
    assert customer.vat_number in page
    assert f"{customer.tenant_domain_prefix}.onmicrosoft.com" in page
    assert "data-verify-relationship" not in page  # a new tenant needs no relationship


def test_existing_tenant_without_relationship_shows_the_invitation_and_verifies_it(
    client, pc_sandbox, alice
):
    alice.reseller.partner_center_tenant_id = VALID_RESELLER_TENANT_ID
    alice.reseller.save(update_fields=["partner_center_tenant_id"])
    customer = CustomerFactory(
        reseller=alice.reseller,
        company_name=FABRIKAM_NAME,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    page = client.get(detail_url(customer)).content.decode()
    assert "data-relationship-panel" in page
    assert f"partnerId={VALID_RESELLER_TENANT_ID}" in page

    pc_sandbox.control.accept_invitation(
        "fabrikamsrl.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )
    response = client.post(check_url(customer), follow=True)

    assert response.redirect_chain == [(detail_url(customer), 302)]
    assert "Relazione verificata" in response.content.decode()
    customer.refresh_from_db()
    assert customer.relationship_state == Customer.RelationshipState.ACCEPTED
    assert customer.partner_center_customer_id is not None


def test_relationship_check_goes_back_only_to_a_local_page(client, pc_sandbox, alice):
    customer = CustomerFactory(
        reseller=alice.reseller,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
    )

    response = client.post(check_url(customer), {"next": "https://evil.example/"})

    assert response["Location"] == detail_url(customer)


# --- Reseller A never reaches reseller B's customers ------------------------------------------


def test_list_and_search_never_show_another_resellers_customers(client, alice, bobs_customer):
    for query in ({}, {"q": "Segreto"}, {"q": FABRIKAM_PREFIX}):
        response = client.get(LIST_URL, query)
        assert list(response.context["customers"]) == []
        assert "Segreto Di Bob" not in response.content.decode()


def test_another_resellers_customer_is_not_found(client, alice, bobs_customer):
    assert client.get(detail_url(bobs_customer)).status_code == 404


def test_another_resellers_customer_cannot_be_rechecked(client, pc_sandbox, alice, bobs_customer):
    pc_sandbox.control.clear_calls()

    response = client.post(check_url(bobs_customer))

    assert response.status_code == 404
    bobs_customer.refresh_from_db()
    assert bobs_customer.relationship_checked_at is None
    assert pc_sandbox.control.calls(path_prefix="/v1/customers") == []


def test_another_resellers_customer_is_not_offered_nor_accepted_as_existing_customer(
    client, alice, bobs_customer
):
    cart = checkout_ready_cart(user=alice)
    assert "Segreto Di Bob" not in client.get(CUSTOMER_URL).content.decode()

    response = client.post(
        CUSTOMER_URL, {"choice": "existing", "customer": bobs_customer.pk, "action": "next"}
    )

    assert response.status_code == 200
    assert "Il cliente scelto non è tra i tuoi clienti." in response.content.decode()
    draft = PurchaseDraft.objects.get(cart=cart)
    assert (draft.customer_choice, draft.existing_customer) == ("", None)


def test_a_draft_pointing_at_another_resellers_customer_never_orders_for_it(
    client, alice, bobs_customer
):
    cart = checkout_ready_cart(user=alice)
    draft = draft_ready_to_confirm(cart=cart)
    PurchaseDraft.objects.filter(pk=draft.pk).update(
        customer_choice=PurchaseDraft.CustomerChoice.EXISTING, existing_customer=bobs_customer
    )

    page = client.get(CONFIRM_URL)
    placed = client.post(
        CONFIRM_URL, {"checkout_token": str(cart.checkout_token), "action": "next"}
    )

    assert page["Location"] == CUSTOMER_URL
    assert placed["Location"] == CUSTOMER_URL
    assert Order.objects.count() == 0


@pytest.mark.parametrize("step", ["customer", "company", "tenant", "partner", "confirm"])
def test_wizard_steps_never_show_another_resellers_checkout(client, alice, step):
    bob = other_reseller_user()
    draft_ready_to_confirm(cart=checkout_ready_cart(user=bob), company_name="Cliente Di Bob")
    checkout_ready_cart(user=alice)

    response = client.get(reverse(f"purchase:{step}"), follow=True)

    assert "Cliente Di Bob" not in response.content.decode()
    assert PurchaseDraft.objects.filter(cart__user=bob).count() == 1


def test_another_resellers_checkout_token_does_not_lead_to_its_order(client, alice):
    bob = other_reseller_user()
    bobs_cart = checkout_ready_cart(user=bob)
    draft_ready_to_confirm(cart=bobs_cart, mpn_id=bob.reseller.mpn_id)
    client.force_login(bob)
    client.post(CONFIRM_URL, {"checkout_token": str(bobs_cart.checkout_token), "action": "next"})
    bobs_order = Order.objects.get()
    client.force_login(alice)

    response = client.post(
        CONFIRM_URL, {"checkout_token": str(bobs_cart.checkout_token), "action": "next"}
    )

    assert response["Location"] == reverse("checkout:cart")
    assert Order.objects.get() == bobs_order


def test_prefix_check_and_customer_pages_need_sign_in(client, bobs_customer):
    for url in [
        LIST_URL,
        detail_url(bobs_customer),
        reverse("purchase:prefix_check"),
        CUSTOMER_URL,
        reverse("purchase:company"),
        reverse("purchase:tenant"),
        reverse("purchase:partner"),
        CONFIRM_URL,
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url
    response = client.post(check_url(bobs_customer))
    assert response["Location"].startswith(reverse("login"))


def test_mpn_id_of_the_order_is_the_one_validated(client, alice):
    cart = checkout_ready_cart(user=alice)
    draft_ready_to_confirm(cart=cart)

    client.post(CONFIRM_URL, {"checkout_token": str(cart.checkout_token), "action": "next"})

    assert Order.objects.get().mpn_id == VALID_MPN_ID
