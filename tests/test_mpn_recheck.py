"""The MPN ID at the «Partner» step is the profile's, shown read-only with a link to the profile;
an MPN ID deactivated after the step (its answer still cached) stops the order before it is
placed."""

import pytest
from django.urls import reverse

from orders.models import Order
from tenants.models import CheckoutDraft
from tenants.tests.factories import (
    FREE_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

PARTNER_URL = reverse("tenants:checkout_partner")
CONFIRM_URL = reverse("tenants:checkout_confirm")


@pytest.fixture
def at_confirm(client, pc_sandbox):
    """A reseller whose MPN ID was validated (and cached) at the «Partner» step."""
    user = reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    cart = checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("tenants:checkout_customer"), {"choice": "new", "action": "next"})
    client.post(reverse("tenants:checkout_company"), {**company_data(), "action": "next"})
    client.post(
        reverse("tenants:checkout_tenant"), {"tenant_domain_prefix": FREE_PREFIX, "action": "next"}
    )
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


def test_an_mpn_id_deactivated_within_the_cache_time_stops_the_order(
    client, pc_sandbox, at_confirm
):
    # Given the MPN ID deactivated in Partner Center after the «Partner» step
    pc_sandbox.control.set_reseller(VALID_MPN_ID, relationship_state="Inactive")

    # When «Prossimo >>» is pressed on the confirmation
    response = place(client, at_confirm)

    # Then no order: the reseller is back at «Partner», told why, and must validate again
    assert not Order.objects.exists()
    assert response.redirect_chain[-1][0] == PARTNER_URL
    page = response.content.decode()
    assert "L&#x27;ordine non è stato inviato" in page
    assert "non è attivo in Partner Center" in page
    assert "validated" not in CheckoutDraft.objects.get(cart=at_confirm).partner
    assert client.get(CONFIRM_URL)["Location"] == PARTNER_URL


def test_an_mpn_id_still_active_places_the_order(client, at_confirm):
    response = place(client, at_confirm)

    assert Order.objects.get().mpn_id == VALID_MPN_ID
    assert "/completato/" in response.redirect_chain[-1][0]
