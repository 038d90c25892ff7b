"""The MPN ID at the «Partner» step is the profile's, shown read-only with a link to the profile.
An MPN ID deactivated after the step, its answer still cached, never reaches a Partner Center
order: one the storefront has learnt of since stops the confirmation (which itself asks Partner
Center nothing), one deactivated only in Partner Center fails the order in the worker before its
first write."""

import pytest
from django.urls import reverse

from orders.models import Order
from purchase.models import PurchaseDraft
from resellers.services import resellers_revalidate_mpn
from storefront.models import Reseller
from tenants.tests.factories import (
    FREE_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

PARTNER_URL = reverse("purchase:partner")
CONFIRM_URL = reverse("purchase:confirm")


@pytest.fixture
def at_confirm(client, pc_sandbox):
    """A reseller whose MPN ID was validated (and cached) at the «Partner» step."""
    user = reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    cart = checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})
    client.post(reverse("purchase:tenant"), {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})
    assert response["Location"] == CONFIRM_URL
    return cart


def place(client, cart):
    return client.post(
        CONFIRM_URL, {"checkout_token": str(cart.checkout_token), "action": "next"}, follow=True
    )


def test_the_mpn_id_field_is_read_only_with_a_link_to_the_profile(client, at_confirm):
    page = client.get(PARTNER_URL).content.decode()

    assert f'value="{VALID_MPN_ID}"' in page
    assert 'name="mpn_id"' in page and " readonly " in page.split('name="mpn_id"')[1][:300]
    assert f'href="{reverse("profile")}" data-profile-link' in page


def test_an_mpn_id_found_deactivated_since_the_step_stops_the_order_without_a_call(
    client, pc_sandbox, at_confirm
):
    # Given the MPN ID deactivated in Partner Center after the «Partner» step, and the nightly
    # check (or any other) having recorded it on the profile
    pc_sandbox.control.set_reseller(VALID_MPN_ID, relationship_state="Inactive")
    resellers_revalidate_mpn(resellers=Reseller.objects.all())
    pc_sandbox.control.clear_calls()

    # When «Prossimo >>» is pressed on the confirmation
    response = place(client, at_confirm)

    # Then no order and no Partner Center call: the reseller is back at «Partner», told why
    assert not Order.objects.exists()
    assert pc_sandbox.control.calls(path_prefix="/v1/") == []
    assert response.redirect_chain[-1][0] == PARTNER_URL
    page = response.content.decode()
    assert "L&#x27;ordine non è stato inviato" in page
    assert f"L&#x27;MPN ID {VALID_MPN_ID} non è valido" in page
    assert "validated" not in PurchaseDraft.objects.get(cart=at_confirm).partner
    assert client.get(CONFIRM_URL)["Location"] == PARTNER_URL


def test_an_mpn_id_deactivated_only_in_partner_center_fails_the_order_before_any_write(
    client, pc_sandbox, at_confirm, django_capture_on_commit_callbacks
):
    # Given the MPN ID deactivated in Partner Center after the «Partner» step, unknown here
    pc_sandbox.control.set_reseller(VALID_MPN_ID, relationship_state="Inactive")
    pc_sandbox.control.clear_calls()

    # When the order is confirmed, and its provisioning enqueued on commit runs (in-process)
    with django_capture_on_commit_callbacks(execute=True):
        place(client, at_confirm)

    # Then the worker asked again past the cache and failed it before ordering anything
    order = Order.objects.get()
    assert (order.status, order.failure_reason) == ("failed", "mpn_invalid")
    assert pc_sandbox.control.calls(method="POST", path_prefix="/v1/") == []


def test_an_mpn_id_still_active_places_the_order(client, at_confirm):
    response = place(client, at_confirm)

    assert Order.objects.get().mpn_id == VALID_MPN_ID
    assert "/completato/" in response.redirect_chain[-1][0]
