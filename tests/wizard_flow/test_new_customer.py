"""The purchase wizard from «Checkout >>» to the order (guide steps 9–15), with the sandbox: which
carts may enter, a new customer all the way."""

import importlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.models import Price
from catalog.tests.factories import SkuFactory, priced_plan
from checkout.models import Cart, CartLine
from checkout.services import cart_add_plan
from orders.models import Order
from purchase.errors import PurchaseNotReadyError
from purchase.models import PurchaseDraft
from purchase.services import purchase_draft_save_company, purchase_place_order
from tenants.models import Customer
from tenants.tests.factories import (
    CONTOSO_CUSTOMER_ID,
    CONTOSO_NAME,
    CONTOSO_PREFIX,
    FABRIKAM_NAME,
    FABRIKAM_PREFIX,
    FREE_PREFIX,
    VALID_MPN_ID,
    company_data,
    draft_ready_to_confirm,
)
from tests.wizard_flow.helpers import (
    CART_URL,
    COMPANY_URL,
    CONFIRM_URL,
    CUSTOMER_URL,
    PARTNER_URL,
    TENANT_URL,
    WIZARD_URLS,
    place,
    walk_to_confirm,
)

pytestmark = pytest.mark.django_db


# --- Which carts may enter --------------------------------------------------------------------


@pytest.mark.parametrize("url", WIZARD_URLS)
def test_without_a_confirmed_cart_every_step_sends_back_to_the_cart(client, user, url):
    response = client.get(url, follow=True)

    assert response.redirect_chain == [(CART_URL, 302)]
    assert "premi «Checkout »" in response.content.decode() or "Checkout &gt;&gt;" in (
        response.content.decode()
    )
    assert PurchaseDraft.objects.count() == 0


def test_cart_whose_terms_were_not_accepted_is_sent_back(client, user):
    plan = priced_plan(sku=SkuFactory(), effective_start=timezone.localdate() - timedelta(30))
    cart_add_plan(user=user, plan_id=plan.pk, quantity=1, addon_quantities={})

    response = client.get(CUSTOMER_URL)

    assert response["Location"] == CART_URL
    assert PurchaseDraft.objects.count() == 0


def test_empty_cart_is_sent_back_with_a_message(client, cart):
    CartLine.objects.filter(cart=cart).delete()

    response = client.get(CUSTOMER_URL, follow=True)

    assert response.redirect_chain[0] == (CART_URL, 302)
    assert "Il carrello è vuoto: aggiungi un prodotto prima di procedere." in (
        response.content.decode()
    )
    assert PurchaseDraft.objects.count() == 0


def test_ordered_cart_is_sent_back(client, cart):
    Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.ORDERED)

    assert client.get(COMPANY_URL)["Location"] == CART_URL


@pytest.mark.parametrize(
    ("url", "first_step"),
    [(COMPANY_URL, CUSTOMER_URL), (TENANT_URL, CUSTOMER_URL), (CONFIRM_URL, CUSTOMER_URL)],
)
def test_a_step_cannot_be_skipped(client, cart, url, first_step):
    assert client.get(url)["Location"] == first_step


def test_the_tenant_step_needs_valid_company_data(client, cart):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})
    client.post(COMPANY_URL, {**company_data(vat_number="123"), "action": "next"})

    assert client.get(TENANT_URL)["Location"] == COMPANY_URL
    assert client.get(PARTNER_URL)["Location"] == COMPANY_URL


# --- A new customer, all the way --------------------------------------------------------------


def test_new_customer_with_a_new_tenant_places_one_order(client, pc_sandbox, user, cart):
    walk_to_confirm(client)

    confirmation = client.get(CONFIRM_URL).content.decode()
    assert "Nuova Impresa S.r.l." in confirmation
    assert 'data-tenant-branch="B"' in confirmation
    assert f"Verrà creato il tenant {FREE_PREFIX}.onmicrosoft.com" in confirmation
    assert f'<p class="font-monospace" data-confirm-mpn>{VALID_MPN_ID}</p>' in confirmation
    assert "Business Standard" in confirmation
    assert "Utilizzo stimato" in confirmation
    assert f'value="{cart.checkout_token}"' in confirmation

    response = place(client, cart)

    order = Order.objects.get()
    assert response["Location"] == reverse("orders:order_placed", kwargs={"pk": order.pk})
    customer = Customer.objects.get()
    assert (customer.reseller, customer.company_name, customer.vat_number) == (
        user.reseller,
        "Nuova Impresa S.r.l.",
        "01234560157",
    )
    assert (customer.tenant_domain_prefix, customer.tenant_kind, customer.relationship_state) == (
        FREE_PREFIX,
        Customer.TenantKind.NEW,
        Customer.RelationshipState.NOT_NEEDED,
    )
    assert (order.customer, order.mpn_id, order.is_new_tenant, order.cart) == (
        customer,
        VALID_MPN_ID,
        True,
        cart,
    )
    assert PurchaseDraft.objects.count() == 0


def test_double_submit_reload_and_second_tab_give_the_same_single_order(
    client, pc_sandbox, user, cart
):
    walk_to_confirm(client)
    first = place(client, cart)

    again = place(client, cart)
    from_another_tab = place(client, cart)

    assert first["Location"] == again["Location"] == from_another_tab["Location"]
    assert Order.objects.count() == 1
    assert Customer.objects.count() == 1


def place_from_another_tab(*, user, cart) -> Order:
    """What «Prossimo >>» on Conferma in another tab does, while this tab's request runs."""
    return purchase_place_order(draft=PurchaseDraft.objects.get(cart=cart), user=user)


@pytest.mark.parametrize(
    ("url", "view_module", "service", "data"),
    [
        (
            TENANT_URL,
            "purchase.views.tenant",
            "tenant_check_prefix",
            {"tenant_domain_prefix": FREE_PREFIX, "action": "next"},
        ),
        (
            PARTNER_URL,
            "purchase.views.steps",
            "reseller_validate_mpn",
            {"mpn_id": VALID_MPN_ID, "action": "next"},
        ),
    ],
    ids=["tenant", "partner"],
)
def test_a_step_posted_while_another_tab_places_the_order_leads_to_that_order(
    client, pc_sandbox, monkeypatch, user, cart, url, view_module, service, data
):
    # Given a draft ready to confirm, and a step posted from a tab that loaded it; while that
    # step waits for Partner Center, another tab places the order
    draft_ready_to_confirm(cart=cart)
    placed = []
    real_service = getattr(importlib.import_module(view_module), service)

    def meanwhile_another_tab_places_the_order(**kwargs):
        placed.append(place_from_another_tab(user=user, cart=cart))
        return real_service(**kwargs)

    monkeypatch.setattr(f"{view_module}.{service}", meanwhile_another_tab_places_the_order)

    # When this tab's step saves what was posted
    response = client.post(url, data)

    # Then it is sent to the order placed, and the draft is not written back
    order = Order.objects.get()
    assert placed == [order]
    assert response.status_code == 302
    assert response["Location"] == reverse("orders:order_placed", kwargs={"pk": order.pk})
    assert PurchaseDraft.objects.count() == 0
    assert Customer.objects.count() == 1


def test_the_confirmation_names_a_plan_once_when_its_sku_is_named_like_its_product(client, cart):
    # Given a SKU named like its product, as the demo price list names Business Standard's
    draft_ready_to_confirm(cart=cart)
    line = cart.lines.filter(base_line=None).select_related("plan__sku__product").get()
    sku = line.plan.sku
    sku.title = title = sku.product.title
    sku.save(update_fields=["title"])

    page = client.get(reverse("purchase:confirm")).content.decode()

    [row] = [row for row in re.findall(r"<tr.*?</tr>", page, re.S) if title in row]
    assert row.count(title) == 1


def test_saving_a_step_of_a_draft_already_ordered_is_refused_and_writes_nothing(user, cart):
    draft = draft_ready_to_confirm(cart=cart)
    PurchaseDraft.objects.filter(pk=draft.pk).delete()

    with pytest.raises(PurchaseNotReadyError) as refusal:
        purchase_draft_save_company(
            draft=draft, values=company_data(company_name="Altra S.r.l."), is_complete=True
        )

    assert refusal.value.code == "purchase_done"
    assert PurchaseDraft.objects.count() == 0


def test_existing_tenant_with_relationship_is_recorded_as_such(client, pc_sandbox, user, cart):
    walk_to_confirm(client, prefix=CONTOSO_PREFIX, company_name=CONTOSO_NAME)
    assert "data-company-name-mismatch" not in client.get(CONFIRM_URL).content.decode()

    place(client, cart)

    customer = Customer.objects.get()
    assert (customer.tenant_kind, customer.relationship_state) == (
        Customer.TenantKind.EXISTING,
        Customer.RelationshipState.ACCEPTED,
    )
    assert str(customer.partner_center_customer_id) == CONTOSO_CUSTOMER_ID
    assert customer.partner_center_company_name == CONTOSO_NAME
    assert Order.objects.get().is_new_tenant is False


def test_existing_tenant_without_relationship_is_ordered_to_wait_for_it(
    client, pc_sandbox, user, cart
):
    walk_to_confirm(client, prefix=FABRIKAM_PREFIX, company_name=FABRIKAM_NAME)

    confirmation = client.get(CONFIRM_URL).content.decode()
    assert 'data-relationship="pending"' in confirmation
    assert "l'ordine resterà «In attesa della relazione»" in confirmation
    assert "data-relationship-panel" in confirmation
    place(client, cart)

    customer = Customer.objects.get()
    assert (customer.tenant_kind, customer.relationship_state) == (
        Customer.TenantKind.EXISTING,
        Customer.RelationshipState.PENDING,
    )
    assert customer.partner_center_customer_id is None


def test_a_refused_order_keeps_the_draft_and_creates_no_customer(client, pc_sandbox, user, cart):
    walk_to_confirm(client)
    line = CartLine.objects.get(cart=cart)
    Price.objects.create(
        plan=line.plan,
        cost_price=Decimal("150.00"),
        erp_price=Decimal("180.00"),
        effective_start=timezone.localdate() - timedelta(days=1),
    )

    response = place(client, cart)

    assert response.status_code == 200
    assert "Alcuni prezzi sono cambiati" in response.content.decode()
    assert Order.objects.count() == 0
    assert Customer.objects.count() == 0
    assert PurchaseDraft.objects.filter(cart=cart).exists()


def test_confirming_an_incomplete_draft_sends_to_the_missing_step(client, user, cart):
    draft_ready_to_confirm(cart=cart)
    PurchaseDraft.objects.filter(cart=cart).update(partner={"mpn_id": VALID_MPN_ID})

    response = place(client, cart)

    assert response["Location"] == PARTNER_URL
    assert Order.objects.count() == 0
