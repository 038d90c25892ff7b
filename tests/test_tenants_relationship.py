"""The reseller relationship of an existing tenant: re-check and invitation link (sandbox)."""

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse

from partnercenter.lookups import PartnerCenterUnavailableError
from storefront.models import Reseller
from storefront.tests.factories import ResellerFactory
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


def demo_reseller() -> Reseller:
    """The sandbox's valid reseller, its tenant id known: contosoitalia is associated with it."""
    return ResellerFactory(
        mpn_id=VALID_MPN_ID, partner_center_tenant_id=uuid.UUID(VALID_RESELLER_TENANT_ID)
    )


def test_accepted_relationship_records_the_partner_center_customer(pc_sandbox):
    customer = existing_tenant(CONTOSO_PREFIX, reseller=demo_reseller())

    check = customer_check_relationship(customer=customer)

    assert check.is_accepted
    customer.refresh_from_db()
    assert customer.relationship_state == Customer.RelationshipState.ACCEPTED
    assert customer.partner_center_customer_id == uuid.UUID(CONTOSO_CUSTOMER_ID)
    assert customer.partner_center_company_name == CONTOSO_NAME
    assert customer.relationship_checked_at == check.checked_at


@pytest.mark.parametrize(
    "reseller_tenant_id", ["4a3b7d2f-6c8e-4f9a-8b1c-2d3e4f5a6b7c", None], ids=["other", "unknown"]
)
def test_a_tenant_associated_with_another_reseller_is_pending_and_its_name_not_recorded(
    pc_sandbox, reseller_tenant_id
):
    # Given contosoitalia, the demo reseller's customer, as a customer of another reseller,
    # with what an earlier check recorded
    other_reseller = ResellerFactory(partner_center_tenant_id=reseller_tenant_id)
    customer = existing_tenant(
        CONTOSO_PREFIX,
        reseller=other_reseller,
        relationship_state=Customer.RelationshipState.ACCEPTED,
        partner_center_customer_id=CONTOSO_CUSTOMER_ID,
        partner_center_company_name=CONTOSO_NAME,
    )

    # When its relationship is checked
    check = customer_check_relationship(customer=customer)

    # Then it is still to be accepted by this reseller, and nothing of the tenant is kept
    assert (check.is_accepted, check.state, check.match) == (
        False,
        Customer.RelationshipState.PENDING,
        None,
    )
    customer.refresh_from_db()
    assert (
        customer.relationship_state,
        customer.partner_center_customer_id,
        customer.partner_center_company_name,
    ) == (Customer.RelationshipState.PENDING, None, "")


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


def test_invitation_link_uses_the_stored_tenant_id_without_calling_partner_center(pc_sandbox):
    reseller = demo_reseller()
    pc_sandbox.control.clear_calls()

    url = reseller_invitation_url(reseller=reseller, domain="fabrikamsrl.onmicrosoft.com")

    assert url == (
        f"{pc_sandbox.base_url}/_sandbox/invitation?domain=fabrikamsrl.onmicrosoft.com"
        f"&partnerId={VALID_RESELLER_TENANT_ID}&indirectCSPId=9171ce5b-baff-48a6-9656-c801daeb9a56"
    )
    assert pc_sandbox.control.calls() == []


def test_no_invitation_link_and_no_call_while_the_tenant_id_is_unknown(pc_sandbox):
    # Given a reseller whose valid MPN ID has not been validated yet
    reseller = ResellerFactory(mpn_id=VALID_MPN_ID)
    pc_sandbox.control.clear_calls()

    # When its invitation link is asked for
    url = reseller_invitation_url(reseller=reseller, domain="fabrikamsrl.onmicrosoft.com")

    # Then there is none, Partner Center is not asked and the profile is unchanged
    assert url == ""
    assert pc_sandbox.control.calls() == []
    reseller.refresh_from_db()
    assert (reseller.partner_center_tenant_id, reseller.mpn_status) == (
        None,
        Reseller.MpnStatus.UNCHECKED,
    )


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


def test_customer_page_never_calls_partner_center_for_the_link(client, pc_sandbox, settings):
    # Given a reseller with a valid MPN ID whose tenant id is not known yet, and Partner Center
    # answering every call with 503
    user = reseller_user()
    customer = existing_tenant(
        FABRIKAM_PREFIX,
        reseller=user.reseller,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    client.force_login(user)
    pc_sandbox.control.inject_fault("status", path_prefix="/v1/", status=503)
    pc_sandbox.control.clear_calls()

    # When the customer's page is shown twice
    pages = [
        client.get(reverse("tenants:customer_detail", kwargs={"pk": customer.pk})) for _ in range(2)
    ]

    # Then no call was made: the page says the link comes with the MPN ID and gives the support
    assert [page.status_code for page in pages] == [200, 200]
    content = pages[1].content.decode()
    assert "data-invitation-unavailable" in content
    assert "data-invitation-url" not in content
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in content
    assert pc_sandbox.control.calls() == []
    user.reseller.refresh_from_db()
    assert user.reseller.partner_center_tenant_id is None
