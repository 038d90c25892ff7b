"""The reseller relationship of an existing tenant: re-check and invitation link (sandbox)."""

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from storefront.tests.factories import ResellerFactory
from tenants.errors import PartnerCenterUnavailableError
from tenants.models import Customer
from tenants.services import customer_check_relationship, reseller_invitation_url
from tenants.tests.factories import (
    CONTOSO_CUSTOMER_ID,
    CONTOSO_NAME,
    CONTOSO_PREFIX,
    FABRIKAM_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
    reseller_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def existing_tenant(prefix: str, **fields) -> Customer:
    fields.setdefault("relationship_state", Customer.RelationshipState.UNKNOWN)
    return CustomerFactory(
        tenant_domain_prefix=prefix, tenant_kind=Customer.TenantKind.EXISTING, **fields
    )


def test_accepted_relationship_records_the_partner_center_customer(pc_sandbox):
    customer = existing_tenant(CONTOSO_PREFIX)

    check = customer_check_relationship(customer=customer)

    assert check.is_accepted
    customer.refresh_from_db()
    assert customer.relationship_state == Customer.RelationshipState.ACCEPTED
    assert customer.partner_center_customer_id == uuid.UUID(CONTOSO_CUSTOMER_ID)
    assert customer.partner_center_company_name == CONTOSO_NAME
    assert customer.relationship_checked_at == check.checked_at


def test_missing_relationship_is_pending(pc_sandbox):
    customer = existing_tenant(FABRIKAM_PREFIX)

    check = customer_check_relationship(customer=customer)

    assert (check.is_accepted, check.state) == (False, Customer.RelationshipState.PENDING)
    customer.refresh_from_db()
    assert customer.relationship_state == Customer.RelationshipState.PENDING
    assert customer.partner_center_customer_id is None
    assert customer.relationship_checked_at is not None


def test_new_tenant_needs_no_relationship_and_no_call(pc_sandbox):
    customer = CustomerFactory()
    pc_sandbox.control.clear_calls()

    check = customer_check_relationship(customer=customer)

    assert check.state == Customer.RelationshipState.NOT_NEEDED
    assert pc_sandbox.control.calls(path_prefix="/v1/") == []


def test_partner_center_down_leaves_the_customer_as_it_was(pc_sandbox):
    customer = existing_tenant(CONTOSO_PREFIX)
    pc_sandbox.control.inject_fault("drop", path_prefix="/v1/customers")

    with pytest.raises(PartnerCenterUnavailableError):
        customer_check_relationship(customer=customer)

    customer.refresh_from_db()
    assert (customer.relationship_state, customer.relationship_checked_at) == (
        Customer.RelationshipState.UNKNOWN,
        None,
    )


def test_invitation_link_learns_the_reseller_tenant_id_from_its_mpn_id(pc_sandbox):
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)

    url = reseller_invitation_url(reseller=reseller, domain="fabrikamsrl.onmicrosoft.com")

    assert url == (
        f"{pc_sandbox.base_url}/_sandbox/invitation?domain=fabrikamsrl.onmicrosoft.com"
        f"&partnerId={VALID_RESELLER_TENANT_ID}&indirectCSPId=9171ce5b-baff-48a6-9656-c801daeb9a56"
    )
    assert reseller.partner_center_tenant_id == uuid.UUID(VALID_RESELLER_TENANT_ID)


def test_invitation_link_in_production_follows_the_settings_template(settings):
    settings.PARTNER_CENTER_SANDBOX_ENABLED = False
    reseller = ResellerFactory(partner_center_tenant_id=uuid.UUID(VALID_RESELLER_TENANT_ID))

    url = reseller_invitation_url(reseller=reseller, domain="fabrikamsrl.onmicrosoft.com")

    assert url == (
        "https://admin.microsoft.com/Adminportal/Home?invType=IndirectResellerRelationship"
        f"&partnerId={VALID_RESELLER_TENANT_ID}&msppId=0"
        "&indirectCSPId=9171ce5b-baff-48a6-9656-c801daeb9a56"
        "&DAP=false#/BillingAccounts/partner-invitation"
    )


def test_no_invitation_link_without_a_valid_mpn_id(pc_sandbox):
    reseller = ResellerFactory(mpn_id="3456789")

    assert reseller_invitation_url(reseller=reseller, domain="x.onmicrosoft.com") == ""


def test_customer_page_says_when_the_invitation_link_cannot_be_had(client, pc_sandbox):
    user = reseller_user(mpn_id="3456789")
    customer = existing_tenant(
        FABRIKAM_PREFIX,
        reseller=user.reseller,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    client.force_login(user)

    page = client.get(reverse("tenants:customer_detail", kwargs={"pk": customer.pk}))

    content = page.content.decode()
    assert "data-invitation-unavailable" in content
    assert "dopo la verifica del tuo MPN ID" in content


def test_customer_page_says_when_partner_center_is_down_for_the_link(client, pc_sandbox):
    user = reseller_user()
    customer = existing_tenant(
        FABRIKAM_PREFIX,
        reseller=user.reseller,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    pc_sandbox.control.inject_fault("status", path_prefix="/v1/compliance", status=503)
    client.force_login(user)

    page = client.get(reverse("tenants:customer_detail", kwargs={"pk": customer.pk}))

    assert page.status_code == 200
    assert "riprova tra qualche minuto" in page.content.decode()
