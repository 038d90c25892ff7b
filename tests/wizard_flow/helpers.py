"""The wizard's URLs and the walk through its steps."""

from django.urls import reverse

from tenants.tests.factories import FABRIKAM_PREFIX, FREE_PREFIX, VALID_MPN_ID, company_data

CUSTOMER_URL = reverse("purchase:customer")
COMPANY_URL = reverse("purchase:company")
TENANT_URL = reverse("purchase:tenant")
PARTNER_URL = reverse("purchase:partner")
CONFIRM_URL = reverse("purchase:confirm")
WIZARD_URLS = [CUSTOMER_URL, COMPANY_URL, TENANT_URL, PARTNER_URL, CONFIRM_URL]
CART_URL = reverse("checkout:cart")


def walk_to_confirm(client, *, prefix=FREE_PREFIX, **company):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})
    client.post(COMPANY_URL, {**company_data(**company), "action": "next"})
    client.post(TENANT_URL, {"tenant_domain_prefix": prefix, "action": "next"})
    if prefix == FABRIKAM_PREFIX:  # branch A: the page showed the invitation; go on anyway
        client.post(TENANT_URL, {"tenant_domain_prefix": prefix, "action": "next"})
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})
    assert response["Location"] == CONFIRM_URL


def place(client, cart):
    return client.post(CONFIRM_URL, {"checkout_token": str(cart.checkout_token), "action": "next"})
