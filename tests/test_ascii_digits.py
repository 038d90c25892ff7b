"""Digits other than 0–9 (Arabic-Indic ٠١٢, full-width ０１２) are refused with a message, by the
wizard's forms and by the services that check what they are given: none reaches Partner Center."""

import pytest
from django.urls import reverse

from checkout.models import Cart
from orders.errors import OrderPlacementError
from orders.models import Order
from orders.services import order_place
from orders.tests.factories import checked_out_cart, new_tenant_customer, order_user
from purchase.models import PurchaseDraft
from resellers.choices import MpnReason, MpnRecheckOutcome
from resellers.services import reseller_validate_mpn, resellers_revalidate_mpn
from storefront.models import Reseller
from storefront.tests.factories import ResellerFactory
from tenants.errors import DomainPrefixInvalidError
from tenants.models import Customer
from tenants.services import tenant_check_prefix
from tenants.tests.factories import (
    FREE_PREFIX,
    VALID_MPN_ID,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

OTHER_DIGITS_MESSAGE = (
    "Scrivi le cifre da 0 a 9: il valore contiene cifre di un altro sistema di scrittura "
    "(per esempio arabe o a larghezza intera)."
)
PREFIX_DIGITS_MESSAGE = (
    "Il Domain Prefix può contenere solo le cifre da 0 a 9: hai inserito cifre di un altro "
    "sistema di scrittura (per esempio arabe o a larghezza intera)."
)
ARABIC_INDIC_MPN_ID = "١٢٣٤٥٦٧"  # 1234567, the sandbox's valid one
FULL_WIDTH_MPN_ID = "１２３４５６７"


def partner_center_calls(pc_sandbox) -> list[dict]:
    return pc_sandbox.control.calls(path_prefix="/v1/")


@pytest.fixture
def signed_in(client, pc_sandbox):
    user = reseller_user()
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    pc_sandbox.control.clear_calls()
    return user


# --- The wizard's forms -----------------------------------------------------------------------


def test_company_data_in_other_digits_stays_on_its_step(client, pc_sandbox, signed_in):
    typed = company_data(vat_number="００７４３１１０１５７", postal_code="٢٠١٢١")

    response = client.post(reverse("purchase:company"), {**typed, "action": "next"})

    assert response.status_code == 200
    assert response.content.decode().count(OTHER_DIGITS_MESSAGE) == 2
    assert PurchaseDraft.objects.get(cart__user=signed_in).company["is_complete"] is False
    tenant_step = client.post(
        reverse("purchase:tenant"), {"tenant_domain_prefix": FREE_PREFIX, "action": "next"}
    )
    assert tenant_step["Location"] == reverse("purchase:company")
    assert partner_center_calls(pc_sandbox) == []
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("prefix", ["contoso٢٠٢٦", "contoso２０２６"])
def test_prefix_in_other_digits_is_refused_on_the_tenant_step(
    client, pc_sandbox, signed_in, prefix
):
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})

    response = client.post(
        reverse("purchase:tenant"), {"tenant_domain_prefix": prefix, "action": "next"}
    )

    assert response.status_code == 200
    assert PREFIX_DIGITS_MESSAGE in response.content.decode()
    assert partner_center_calls(pc_sandbox) == []


@pytest.mark.parametrize("mpn_id", [ARABIC_INDIC_MPN_ID, FULL_WIDTH_MPN_ID])
def test_mpn_id_in_other_digits_is_refused_on_the_partner_step(
    client, pc_sandbox, signed_in, mpn_id
):
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})
    client.post(reverse("purchase:tenant"), {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})
    pc_sandbox.control.clear_calls()

    response = client.post(reverse("purchase:partner"), {"mpn_id": mpn_id, "action": "next"})

    assert response.status_code == 200
    assert OTHER_DIGITS_MESSAGE in response.content.decode()
    assert "validated" not in PurchaseDraft.objects.get(cart__user=signed_in).partner
    assert partner_center_calls(pc_sandbox) == []


# --- The services -----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["contoso٢٠٢٦", "contoso２０２６"])
def test_prefix_check_refuses_other_digits_without_calling_partner_center(pc_sandbox, prefix):
    pc_sandbox.control.clear_calls()

    with pytest.raises(DomainPrefixInvalidError) as refusal:
        tenant_check_prefix(prefix=prefix, reseller=ResellerFactory())

    assert str(refusal.value.message) == PREFIX_DIGITS_MESSAGE
    assert partner_center_calls(pc_sandbox) == []


def test_live_prefix_check_answers_invalid_for_other_digits(client, pc_sandbox):
    client.force_login(reseller_user())
    pc_sandbox.control.clear_calls()

    response = client.get(reverse("purchase:prefix_check"), {"prefix": "contoso２０２６"})

    assert (response.status_code, response.json()) == (
        200,
        {"status": "invalid", "message": PREFIX_DIGITS_MESSAGE},
    )
    assert partner_center_calls(pc_sandbox) == []


@pytest.mark.parametrize("mpn_id", [ARABIC_INDIC_MPN_ID, FULL_WIDTH_MPN_ID])
def test_profile_mpn_id_in_other_digits_is_never_sent_to_partner_center(pc_sandbox, mpn_id):
    # Saved before the admin form refused such digits: update() skips the validators.
    reseller = ResellerFactory(mpn_id="7654321")
    Reseller.objects.filter(pk=reseller.pk).update(mpn_id=mpn_id)
    reseller.refresh_from_db()
    pc_sandbox.control.clear_calls()

    validation = reseller_validate_mpn(reseller=reseller, mpn_id=mpn_id)
    [nightly] = resellers_revalidate_mpn(resellers=[reseller])

    assert (validation.code, validation.message) == (MpnReason.OTHER_DIGITS, OTHER_DIGITS_MESSAGE)
    assert (nightly.outcome, nightly.detail) == (
        MpnRecheckOutcome.INVALID,
        f"(mpn_other_digits) {OTHER_DIGITS_MESSAGE}",
    )
    assert partner_center_calls(pc_sandbox) == []


def test_placing_an_order_refuses_an_mpn_id_in_other_digits():
    user = order_user(mpn_id=VALID_MPN_ID)
    cart = checked_out_cart(user=user)

    with pytest.raises(OrderPlacementError) as refusal:
        order_place(
            cart=cart,
            user=user,
            customer=new_tenant_customer(reseller=user.reseller),
            mpn_id=ARABIC_INDIC_MPN_ID,
        )

    assert (refusal.value.code, str(refusal.value.message)) == (
        "mpn_id_invalid",
        OTHER_DIGITS_MESSAGE,
    )
    assert Order.objects.count() == 0
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.OPEN
