"""The purchase wizard for an existing customer: company and tenant skipped, the relationship
checked again, the customer step's choices."""

import pytest

from orders.models import Order
from purchase.models import PurchaseDraft
from tenants.models import Customer
from tenants.tests.factories import (
    FABRIKAM_NAME,
    FABRIKAM_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
)
from tests.wizard_flow.helpers import (
    COMPANY_URL,
    CONFIRM_URL,
    CUSTOMER_URL,
    PARTNER_URL,
    TENANT_URL,
    place,
)

pytestmark = pytest.mark.django_db


# --- An existing customer ---------------------------------------------------------------------


def test_existing_customer_skips_company_and_tenant_and_rechecks_the_relationship(
    client, pc_sandbox, user, cart
):
    customer = CustomerFactory(
        reseller=user.reseller,
        company_name=FABRIKAM_NAME,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    pc_sandbox.control.accept_invitation(
        "fabrikamsrl.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )

    response = client.post(
        CUSTOMER_URL, {"choice": "existing", "customer": customer.pk, "action": "next"}
    )

    assert response["Location"] == PARTNER_URL
    customer.refresh_from_db()
    assert customer.relationship_state == Customer.RelationshipState.ACCEPTED
    assert customer.partner_center_company_name == FABRIKAM_NAME
    assert client.get(COMPANY_URL)["Location"] == PARTNER_URL
    assert client.get(TENANT_URL)["Location"] == PARTNER_URL

    client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})
    confirmation = client.get(CONFIRM_URL).content.decode()
    assert FABRIKAM_NAME in confirmation and 'data-relationship="accepted"' in confirmation
    place(client, cart)

    assert Order.objects.get().customer == customer
    assert Customer.objects.count() == 1


def test_existing_customer_is_kept_when_partner_center_cannot_recheck(
    client, pc_sandbox, user, cart
):
    customer = CustomerFactory(
        reseller=user.reseller,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    pc_sandbox.control.inject_fault("status", path_prefix="/v1/customers", status=503)

    response = client.post(
        CUSTOMER_URL, {"choice": "existing", "customer": customer.pk, "action": "next"}, follow=True
    )

    assert response.redirect_chain == [(PARTNER_URL, 302)]
    assert "Partner Center non risponde" in response.content.decode()
    customer.refresh_from_db()
    assert (customer.relationship_state, customer.relationship_checked_at) == (
        Customer.RelationshipState.PENDING,
        None,
    )


def test_choosing_existing_without_a_customer_is_refused_beside_the_field(client, user, cart):
    CustomerFactory(reseller=user.reseller)

    response = client.post(CUSTOMER_URL, {"choice": "existing", "action": "next"})

    assert response.status_code == 200
    assert "Scegli il cliente esistente." in response.content.decode()
    assert PurchaseDraft.objects.get(cart=cart).customer_choice == ""


def test_the_customer_step_offers_both_choices_with_the_guide_labels(client, user, cart):
    CustomerFactory(reseller=user.reseller, company_name="Cliente Già Noto S.r.l.")

    page = client.get(CUSTOMER_URL).content.decode()

    assert "per un nuovo cliente" in page
    assert "per un cliente esistente" in page
    assert "Cliente Già Noto S.r.l." in page
