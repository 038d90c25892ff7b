"""The guide's «importantissimo»: a «Nome azienda» that is not exactly the existing tenant's legal
name («Fabrikam Srl» for «Fabrikam S.r.l.») is flagged to the reseller before the order, and to
staff in the order admin."""

import pytest
from django.urls import reverse

from orders.tests.factories import placed_order
from storefront.tests.factories import StaffUserFactory
from tenants.models import Customer
from tenants.tests.factories import (
    FABRIKAM_NAME,
    FABRIKAM_PREFIX,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

WARNING = "«Nome azienda» (Fabrikam Srl) non corrisponde alla ragione sociale del tenant"


def test_the_wizard_warns_of_fabrikam_srl_for_fabrikam_s_r_l_before_the_order(client, pc_sandbox):
    # Given a reseller typing «Fabrikam Srl» for the new customer
    user = reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(
        reverse("purchase:company"),
        {**company_data(company_name="Fabrikam Srl"), "action": "next"},
    )

    # When the prefix of Fabrikam's existing tenant (legal name «Fabrikam S.r.l.») is checked,
    # its administrator having accepted the relationship (Partner Center shows the legal name
    # only to the tenant's partners)
    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )
    client.post(
        reverse("purchase:tenant"),
        {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "next"},
    )

    # Then the tenant step and the confirmation both say so, with both names
    tenant_page = client.get(reverse("purchase:tenant")).content.decode()
    assert "data-company-name-mismatch" in tenant_page
    assert WARNING in tenant_page
    assert f"«{FABRIKAM_NAME}»" in tenant_page
    client.post(reverse("purchase:partner"), {"mpn_id": "1234567", "action": "next"})
    confirm_page = client.get(reverse("purchase:confirm")).content.decode()
    assert WARNING in confirm_page


def test_the_order_admin_shows_staff_a_company_name_that_differs(client):
    user = reseller_user()
    typed = CustomerFactory(
        reseller=user.reseller,
        company_name="Fabrikam Srl",
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.ACCEPTED,
        partner_center_company_name=FABRIKAM_NAME,
    )
    order = placed_order(user=user, customer=typed)
    client.force_login(StaffUserFactory())

    change = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()
    changelist = client.get(reverse("admin:orders_order_changelist")).content.decode()

    assert (
        "DIVERSI: il rivenditore ha indicato «Fabrikam Srl», il tenant in Partner Center è "
        "«Fabrikam S.r.l.»"
    ) in change
    assert 'class="field-is_company_name_different"><img src="/static/admin/img/icon-yes.svg"' in (
        changelist
    )


def test_the_order_admin_says_nothing_when_the_names_are_the_same(client):
    user = reseller_user()
    same = CustomerFactory(
        reseller=user.reseller,
        company_name=FABRIKAM_NAME,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.ACCEPTED,
        partner_center_company_name=FABRIKAM_NAME,
    )
    order = placed_order(user=user, customer=same)
    client.force_login(StaffUserFactory())

    change = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "DIVERSI" not in change
    assert "Fabrikam S.r.l. (uguali)" in change
