"""Hostile text typed in the wizard is shown escaped on every page that shows it (acceptance 5)."""

import pytest
from django.urls import reverse

from purchase.forms import COMPANY_FIELDS
from tenants.models import Customer
from tenants.tests.factories import (
    FABRIKAM_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMAGE = '"><img src=x onerror=alert(1)>'
ESCAPED = {
    SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    IMAGE: "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;",
}
# Free-text fields accept anything: these payloads pass validation and reach every page.
HOSTILE_COMPANY = {
    "company_name": f"Acme {SCRIPT}",
    "address_line": f"Via {IMAGE} 1",
    "city": SCRIPT,
    "contact_first_name": IMAGE,
    "contact_last_name": SCRIPT,
}
CUSTOMER_URL = reverse("purchase:customer")
COMPANY_URL = reverse("purchase:company")
TENANT_URL = reverse("purchase:tenant")
PARTNER_URL = reverse("purchase:partner")
CONFIRM_URL = reverse("purchase:confirm")


def assert_escaped(page: str, *payloads: str) -> None:
    for payload in (SCRIPT, IMAGE):
        assert payload not in page
    for payload in payloads:
        assert ESCAPED[payload] in page, payload


@pytest.fixture
def user(client):
    # The sandbox's demo reseller, its tenant id known: contosoitalia is its customer.
    user = reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    client.force_login(user)
    return user


@pytest.fixture
def cart(user):
    return checkout_ready_cart(user=user)


@pytest.mark.parametrize("payload", [SCRIPT, IMAGE])
def test_every_company_field_shows_a_hostile_value_escaped_after_an_error(client, cart, payload):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})
    hostile = dict.fromkeys(COMPANY_FIELDS, payload)

    response = client.post(COMPANY_URL, {**hostile, "action": "next"})

    page = response.content.decode()
    assert response.status_code == 200
    assert_escaped(page, payload)
    assert page.count(f'value="{ESCAPED[payload]}"') >= len(COMPANY_FIELDS) - 1  # country: select
    assert_escaped(client.get(COMPANY_URL).content.decode(), payload)


@pytest.mark.parametrize("payload", [SCRIPT, IMAGE])
def test_prefix_and_mpn_id_show_a_hostile_value_escaped(client, pc_sandbox, cart, payload):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})
    client.post(COMPANY_URL, {**company_data(), "action": "next"})

    tenant_page = client.post(TENANT_URL, {"tenant_domain_prefix": payload, "action": "next"})
    assert_escaped(tenant_page.content.decode(), payload)
    assert_escaped(client.get(TENANT_URL).content.decode(), payload)

    client.post(TENANT_URL, {"tenant_domain_prefix": "nuovaimpresa2026", "action": "next"})
    partner_page = client.post(PARTNER_URL, {"mpn_id": payload, "action": "next"})
    assert_escaped(partner_page.content.decode(), payload)
    assert_escaped(client.get(PARTNER_URL).content.decode())  # the profile's MPN ID offered again


def test_hostile_company_data_is_escaped_on_every_later_page(client, pc_sandbox, user, cart):
    # Given: hostile company data and a tenant whose Partner Center name is hostile too
    pc_sandbox.control.add_tenant(
        "ostile.onmicrosoft.com",
        company_name=f"Ostile {IMAGE}",
        relationship_accepted=True,
        reseller_tenant_id=VALID_RESELLER_TENANT_ID,
    )
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})
    response = client.post(COMPANY_URL, {**company_data(**HOSTILE_COMPANY), "action": "next"})
    assert response["Location"] == TENANT_URL

    # The branch A panel carries the company name in the e-mail to forward
    client.post(TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "next"})
    assert_escaped(client.get(TENANT_URL).content.decode(), SCRIPT)

    # The name-mismatch warning carries both names
    client.post(TENANT_URL, {"tenant_domain_prefix": "ostile", "action": "next"})
    tenant_page = client.get(TENANT_URL).content.decode()
    assert "data-company-name-mismatch" in tenant_page
    assert_escaped(tenant_page, SCRIPT, IMAGE)

    client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})
    assert_escaped(client.get(CONFIRM_URL).content.decode(), SCRIPT, IMAGE)

    client.post(CONFIRM_URL, {"checkout_token": str(cart.checkout_token), "action": "next"})
    customer = Customer.objects.get()
    assert customer.company_name == f"Acme {SCRIPT}"
    detail = reverse("tenants:customer_detail", kwargs={"pk": customer.pk})
    assert_escaped(client.get(detail).content.decode(), SCRIPT, IMAGE)
    list_url = reverse("tenants:customer_list")
    assert_escaped(client.get(list_url).content.decode(), SCRIPT)
    assert_escaped(client.get(list_url, {"q": "Acme"}).content.decode(), SCRIPT)


@pytest.mark.parametrize("payload", [SCRIPT, IMAGE])
def test_customer_search_shows_a_hostile_query_escaped(client, user, payload):
    page = client.get(reverse("tenants:customer_list"), {"q": payload}).content.decode()

    assert_escaped(page, payload)


def test_hostile_existing_customer_is_escaped_in_the_choice_and_on_the_confirmation(
    client, pc_sandbox, user, cart
):
    from tenants.tests.factories import CustomerFactory

    CustomerFactory(reseller=user.reseller, company_name=f"Acme {SCRIPT}", city=IMAGE)
    assert_escaped(client.get(CUSTOMER_URL).content.decode(), SCRIPT)

    customer = Customer.objects.get()
    client.post(CUSTOMER_URL, {"choice": "existing", "customer": customer.pk, "action": "next"})
    client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    assert_escaped(client.get(CONFIRM_URL).content.decode(), SCRIPT, IMAGE)
