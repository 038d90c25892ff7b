"""Contract tests, against the running sandbox: tenants, customers, resellers, MPN, MCA."""

from datetime import UTC, datetime

import pytest

from partnercenter.errors import PartnerCenterBusinessError
from partnercenter.resources import AgreementContact, IndirectReseller
from partnercenter.tests.helpers import new_customer, new_request_id, relationship_request_url
from partnercenter_sandbox import demo

CONTACT = AgreementContact(first_name="Anna", last_name="Verdi", email="anna.verdi@cliente.it")


def test_domain_check_says_taken_for_an_existing_tenant_and_free_otherwise(pc_client):
    assert pc_client.is_domain_taken("contosoitalia") is True
    assert pc_client.is_domain_taken("fabrikamsrl") is True
    assert pc_client.is_domain_taken("liberissimo") is False


def test_customer_search_finds_a_tenant_only_once_its_relationship_is_accepted(
    pc_client, pc_sandbox
):
    # Given Contoso (relationship accepted) and Fabrikam (not yet)
    contoso = pc_client.find_customers_by_domain("contosoitalia.onmicrosoft.com")
    assert [(c.id, c.domain, c.company_name) for c in contoso] == [
        (demo.CONTOSO_TENANT_ID, "contosoitalia.onmicrosoft.com", "Contoso Italia S.p.A.")
    ]
    assert pc_client.find_customers_by_domain("fabrikamsrl.onmicrosoft.com") == ()

    # When Fabrikam's administrator accepts the invitation of the demo reseller
    pc_sandbox.control.accept_invitation(
        "fabrikamsrl.onmicrosoft.com", partner_id=demo.DEMO_RESELLER_TENANT_ID
    )

    # Then it is a customer, associated with that reseller
    (fabrikam,) = pc_client.find_customers_by_domain("fabrikamsrl.onmicrosoft.com")
    assert (fabrikam.id, fabrikam.associated_partner_id) == (
        demo.FABRIKAM_TENANT_ID,
        demo.DEMO_RESELLER_TENANT_ID,
    )


def test_relationship_request_url_leads_to_the_sandbox_invitation_page(pc_client, pc_sandbox):
    url = relationship_request_url(pc_client)

    assert url == (
        f"{pc_sandbox.base_url}/_sandbox/invitation?partnerId={pc_sandbox.config.tenant_id}"
    )


def test_reseller_list_has_the_distributors_indirect_resellers_with_their_state(pc_client):
    resellers = {reseller.mpn_id: reseller for reseller in pc_client.list_indirect_resellers()}

    assert sorted(resellers) == ["1234567", "2345678", "3456789", "5678901"]
    assert resellers["1234567"] == IndirectReseller(
        tenant_id=demo.DEMO_RESELLER_TENANT_ID,
        name="Rivenditore Demo S.r.l.",
        mpn_id="1234567",
        state="Active",
        location="IT",
    )
    assert resellers["1234567"].is_active is True
    assert resellers["2345678"].is_active is False


def test_agreement_status_of_a_signed_reseller(pc_client):
    status = pc_client.get_agreement_status("1234567")

    assert (status.mpn_id, status.is_agreement_signed) == ("1234567", True)


@pytest.mark.parametrize(
    ("mpn_id", "code"),
    [
        ("9999999", "2200"),  # unknown MPN ID
        ("5678901", "2201"),  # region mismatch
        ("3456789", "2203"),  # MPA not signed
        ("4567890", "2204"),  # a partner, but not an indirect reseller
    ],
)
def test_agreement_status_refusals_carry_partner_centers_code(pc_client, mpn_id, code):
    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.get_agreement_status(mpn_id)

    assert (raised.value.http_status, raised.value.code) == (400, code)
    assert mpn_id in raised.value.description
    assert raised.value.outcome_unknown is False


def test_create_customer_returns_the_new_tenant_and_its_admin_credentials_once(
    pc_client, pc_sandbox
):
    created = pc_client.create_customer(
        request_id=new_request_id(), new_customer=new_customer("nuovaazienda")
    )

    assert created.domain == "nuovaazienda.onmicrosoft.com"
    assert created.company_name == "Nuova Azienda S.r.l."
    assert created.associated_partner_id == demo.DEMO_RESELLER_TENANT_ID
    assert created.admin_credentials.user_name == "admin"
    assert len(created.admin_credentials.password) >= 8
    assert created.admin_user_principal_name == "admin@nuovaazienda.onmicrosoft.com"
    assert "password" not in repr(created)
    assert pc_client.is_domain_taken("nuovaazienda") is True
    assert [c.id for c in pc_client.find_customers_by_domain("nuovaazienda")] == [created.id]


def test_create_customer_refuses_a_taken_domain_and_creates_nothing(pc_client, pc_sandbox):
    tenants_before = len(pc_sandbox.control.state()["tenants"])

    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.create_customer(
            request_id=new_request_id(), new_customer=new_customer("fabrikamsrl")
        )

    assert (raised.value.http_status, raised.value.code) == (409, "2000")
    assert len(pc_sandbox.control.state()["tenants"]) == tenants_before
    assert pc_sandbox.control.duplicates()["customers"] == 0


def test_create_customer_refuses_a_reseller_that_is_not_active(pc_client, pc_sandbox):
    inactive_reseller_tenant_id = "4a3b7d2f-6c8e-4f9a-8b1c-2d3e4f5a6b7c"  # MPN 2345678

    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.create_customer(
            request_id=new_request_id(),
            new_customer=new_customer("inattivo", reseller_tenant_id=inactive_reseller_tenant_id),
        )

    assert (raised.value.http_status, raised.value.code) == (400, "2000")
    assert pc_client.is_domain_taken("inattivo") is False


def test_mca_template_is_the_microsoft_customer_agreement(pc_client):
    template = pc_client.get_customer_agreement_template()

    assert template.template_id == demo.MCA_TEMPLATE_ID
    assert template.agreement_type == "MicrosoftCustomerAgreement"


def test_mca_acceptance_then_repeat_answers_600061_which_counts_as_accepted(pc_client):
    created = pc_client.create_customer(
        request_id=new_request_id(), new_customer=new_customer("conmca")
    )
    accepted_at = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)

    first = pc_client.accept_customer_agreement(
        request_id=new_request_id(),
        customer_id=created.id,
        template_id=demo.MCA_TEMPLATE_ID,
        contact=CONTACT,
        date_agreed=accepted_at,
    )
    repeated = pc_client.accept_customer_agreement(
        request_id=new_request_id(),
        customer_id=created.id,
        template_id=demo.MCA_TEMPLATE_ID,
        contact=CONTACT,
        date_agreed=accepted_at,
    )

    assert (first.customer_id, first.was_already_accepted) == (created.id, False)
    assert (repeated.customer_id, repeated.was_already_accepted) == (created.id, True)


def test_mca_for_a_tenant_without_relationship_is_refused_with_20002(pc_client):
    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.accept_customer_agreement(
            request_id=new_request_id(),
            customer_id=demo.FABRIKAM_TENANT_ID,
            template_id=demo.MCA_TEMPLATE_ID,
            contact=CONTACT,
            date_agreed=datetime(2026, 11, 24, tzinfo=UTC),
        )

    assert (raised.value.http_status, raised.value.code) == (403, "20002")
