"""«Domain Prefix» against the Partner Center sandbox: each outcome of the guide's step 12."""

import pytest
from django.urls import reverse

from partnercenter.lookups import PartnerCenterUnavailableError
from purchase.models import PurchaseDraft
from tenants.errors import DomainPrefixInvalidError
from tenants.services import tenant_check_prefix
from tenants.tests.factories import (
    CONTOSO_CUSTOMER_ID,
    CONTOSO_NAME,
    CONTOSO_PREFIX,
    FABRIKAM_PREFIX,
    FREE_PREFIX,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    company_data,
    other_reseller_user,
    reseller_user,
)

pytestmark = pytest.mark.django_db

TENANT_URL = reverse("purchase:tenant")
PREFIX_CHECK_URL = reverse("purchase:prefix_check")


def demo_reseller_user():
    """The sandbox's valid reseller, its tenant id known: contosoitalia is its customer."""
    return reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)


@pytest.fixture
def demo_reseller():
    return demo_reseller_user().reseller


@pytest.fixture
def at_tenant_step(client):
    """A signed-in reseller user (the demo one) whose wizard has the «Azienda» step done."""
    user = demo_reseller_user()
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})
    return user


def draft_of(user) -> PurchaseDraft:
    return PurchaseDraft.objects.get(cart__user=user)


# --- The service ------------------------------------------------------------------------------


def test_free_prefix_is_branch_b(pc_sandbox, demo_reseller):
    check = tenant_check_prefix(prefix=FREE_PREFIX, reseller=demo_reseller)

    assert (check.prefix, check.is_taken, check.match, check.status) == (
        FREE_PREFIX,
        False,
        None,
        "free",
    )


def test_taken_prefix_with_relationship_gives_the_partner_center_customer(
    pc_sandbox, demo_reseller
):
    check = tenant_check_prefix(prefix="ContosoItalia", reseller=demo_reseller)

    assert check.prefix == CONTOSO_PREFIX
    assert check.status == "taken_related"
    assert check.match.customer_id == CONTOSO_CUSTOMER_ID
    assert check.match.company_name == CONTOSO_NAME


def test_taken_prefix_without_relationship_has_no_customer(pc_sandbox, demo_reseller):
    check = tenant_check_prefix(prefix=FABRIKAM_PREFIX, reseller=demo_reseller)

    assert (check.is_taken, check.match, check.status) == (True, None, "taken_unrelated")


def test_a_customer_whose_domain_only_starts_the_same_is_not_a_match(pc_sandbox, demo_reseller):
    pc_sandbox.control.add_tenant(
        "contosoitalianord.onmicrosoft.com",
        company_name="Contoso Italia Nord S.r.l.",
        relationship_accepted=True,
    )
    pc_sandbox.control.add_tenant("contosoitalian.onmicrosoft.com", company_name="Altro")

    check = tenant_check_prefix(prefix="contosoitalian", reseller=demo_reseller)

    assert check.status == "taken_unrelated"


@pytest.mark.parametrize(
    "reseller_tenant_id", ["4a3b7d2f-6c8e-4f9a-8b1c-2d3e4f5a6b7c", None], ids=["other", "unknown"]
)
def test_another_resellers_customer_is_a_tenant_to_invite_and_its_name_is_not_told(
    pc_sandbox, reseller_tenant_id
):
    # Given contosoitalia, the demo reseller's customer, and another reseller
    reseller = other_reseller_user(partner_center_tenant_id=reseller_tenant_id).reseller

    # When that reseller checks its prefix
    check = tenant_check_prefix(prefix=CONTOSO_PREFIX, reseller=reseller)

    # Then it is taken, without relationship with this reseller, and nothing of it is told
    assert (check.is_taken, check.match, check.status) == (True, None, "taken_unrelated")


def test_another_resellers_customer_shows_the_invitation_not_its_name(client, pc_sandbox):
    # Given another reseller, its tenant id known, at the «Tenant» step
    user = other_reseller_user(partner_center_tenant_id="4a3b7d2f-6c8e-4f9a-8b1c-2d3e4f5a6b7c")
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})

    # When it types contosoitalia, the demo reseller's customer, live and on the step
    live = client.get(PREFIX_CHECK_URL, {"prefix": CONTOSO_PREFIX}).json()
    response = client.post(TENANT_URL, {"tenant_domain_prefix": CONTOSO_PREFIX, "action": "next"})

    # Then it is branch A still to invite: its own invitation link, no legal name of the tenant
    assert live["status"] == "taken_unrelated"
    assert response["Location"] == TENANT_URL
    page = client.get(TENANT_URL).content.decode()
    assert 'data-relationship="pending"' in page
    assert "partnerId=4a3b7d2f-6c8e-4f9a-8b1c-2d3e4f5a6b7c" in page
    assert CONTOSO_NAME not in page
    assert "data-company-name-mismatch" not in page
    assert draft_of(user).tenant["check"]["partner_center_customer_id"] == ""
    assert draft_of(user).tenant["check"]["partner_center_company_name"] == ""


@pytest.mark.parametrize("prefix", ["contoso-italia", "a" * 28, ""])
def test_bad_prefix_is_refused_without_calling_partner_center(pc_sandbox, demo_reseller, prefix):
    pc_sandbox.control.clear_calls()

    with pytest.raises(DomainPrefixInvalidError):
        tenant_check_prefix(prefix=prefix, reseller=demo_reseller)

    assert pc_sandbox.control.calls(path_prefix="/v1/") == []


@pytest.mark.parametrize("kind", ["status", "drop"])
def test_partner_center_down_is_a_domain_error(pc_sandbox, demo_reseller, kind):
    pc_sandbox.control.inject_fault(kind, path_prefix="/v1/domains", status=503)

    with pytest.raises(PartnerCenterUnavailableError) as refusal:
        tenant_check_prefix(prefix=FREE_PREFIX, reseller=demo_reseller)

    assert refusal.value.code == "partner_center_unavailable"
    assert "riprova tra qualche minuto" in str(refusal.value.message)


# --- The «Tenant» step ------------------------------------------------------------------------


def test_free_prefix_goes_on_to_the_partner_step_as_a_new_tenant(
    client, pc_sandbox, at_tenant_step
):
    response = client.post(TENANT_URL, {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})

    assert response.status_code == 302
    assert response["Location"] == reverse("purchase:partner")
    check = draft_of(at_tenant_step).tenant["check"]
    assert (check["prefix"], check["is_taken"], check["partner_center_customer_id"]) == (
        FREE_PREFIX,
        False,
        "",
    )
    page = client.get(TENANT_URL).content.decode()
    assert 'data-tenant-branch="B"' in page
    assert f"Verrà creato il tenant {FREE_PREFIX}.onmicrosoft.com" in page


def test_existing_tenant_with_relationship_goes_on_and_warns_of_a_different_name(
    client, pc_sandbox, at_tenant_step
):
    response = client.post(TENANT_URL, {"tenant_domain_prefix": CONTOSO_PREFIX, "action": "next"})

    assert response["Location"] == reverse("purchase:partner")
    page = client.get(TENANT_URL).content.decode()
    assert 'data-relationship="accepted"' in page
    assert "data-company-name-mismatch" in page
    assert "«Contoso Italia S.p.A.»" in page
    assert "data-relationship-panel" not in page


def test_existing_tenant_with_relationship_and_the_same_legal_name_has_no_warning(
    client, pc_sandbox, at_tenant_step
):
    client.post(
        reverse("purchase:company"),
        {**company_data(company_name="Contoso Italia S.p.A."), "action": "next"},
    )

    client.post(TENANT_URL, {"tenant_domain_prefix": CONTOSO_PREFIX, "action": "next"})

    page = client.get(TENANT_URL).content.decode()
    assert 'data-relationship="accepted"' in page
    assert "data-company-name-mismatch" not in page


def test_existing_tenant_without_relationship_shows_the_invitation_then_verifies_it(
    client, pc_sandbox, at_tenant_step
):
    # When: the prefix of a tenant that has not accepted the relationship
    response = client.post(TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "next"})

    # Then: the page stays, with the invitation for this reseller and the e-mail to forward
    assert response["Location"] == TENANT_URL
    page = client.get(TENANT_URL).content.decode()
    assert 'data-relationship="pending"' in page
    assert (
        f"/_sandbox/invitation?domain={FABRIKAM_PREFIX}.onmicrosoft.com"
        f"&amp;partnerId={VALID_RESELLER_TENANT_ID}"
        "&amp;indirectCSPId=9171ce5b-baff-48a6-9656-c801daeb9a56"
    ) in page
    assert "Gentile amministratore," in page
    assert "In attesa della relazione" in page
    assert "Verifica relazione" in page

    # When: «Verifica relazione» before the customer accepted
    client.post(TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "verify"})
    assert 'data-relationship="pending"' in client.get(TENANT_URL).content.decode()

    # When: the customer's administrator accepts, then «Verifica relazione»
    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )
    response = client.post(
        TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "verify"}, follow=True
    )

    # Then: green
    page = response.content.decode()
    assert 'data-relationship="accepted"' in page
    assert "Relazione verificata: il tenant fabrikamsrl.onmicrosoft.com" in page
    assert "data-relationship-panel" not in page
    assert draft_of(at_tenant_step).tenant["check"]["partner_center_customer_id"] != ""


def test_existing_tenant_without_relationship_may_still_go_on_after_the_invitation(
    client, pc_sandbox, at_tenant_step
):
    client.post(TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "next"})

    response = client.post(TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "next"})

    assert response["Location"] == reverse("purchase:partner")


def test_upper_case_prefix_is_stored_lower_case(client, pc_sandbox, at_tenant_step):
    client.post(TENANT_URL, {"tenant_domain_prefix": "NuovaImpresa2026", "action": "next"})

    tenant = draft_of(at_tenant_step).tenant
    assert tenant["prefix"] == FREE_PREFIX
    assert tenant["check"]["prefix"] == FREE_PREFIX


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("nuova-impresa", "può contenere solo lettere e cifre"),
        ("a" * 28, "ha al massimo 27 caratteri (ne hai inseriti 28)"),
    ],
)
def test_bad_prefix_is_refused_beside_the_field_keeping_it(
    client, pc_sandbox, at_tenant_step, typed, message
):
    pc_sandbox.control.clear_calls()

    response = client.post(TENANT_URL, {"tenant_domain_prefix": typed, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{typed}"' in page
    assert "check" not in draft_of(at_tenant_step).tenant
    assert pc_sandbox.control.calls(path_prefix="/v1/domains") == []


def test_partner_center_down_on_submit_keeps_the_prefix_and_says_to_retry(
    client, pc_sandbox, at_tenant_step
):
    pc_sandbox.control.inject_fault("status", path_prefix="/v1/domains", status=503, count=1)

    response = client.post(TENANT_URL, {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "riprova tra qualche minuto" in page
    assert f'value="{FREE_PREFIX}"' in page
    assert draft_of(at_tenant_step).tenant == {"prefix": FREE_PREFIX}

    retried = client.post(TENANT_URL, {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})
    assert retried["Location"] == reverse("purchase:partner")


# --- The live check -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "status", "message"),
    [
        (FREE_PREFIX, "free", "verrà creato un nuovo tenant"),
        ("ContosoItalia", "taken_related", "già collegato a te e al distributore"),
        (FABRIKAM_PREFIX, "taken_unrelated", "non ancora collegato a te e al distributore"),
        ("nuova impresa", "invalid", "solo lettere e cifre"),
        ("a" * 28, "invalid", "al massimo 27 caratteri"),
    ],
)
def test_live_check_answers_json(client, pc_sandbox, typed, status, message):
    client.force_login(demo_reseller_user())

    response = client.get(PREFIX_CHECK_URL, {"prefix": typed})

    assert response.status_code == 200
    assert response.json()["status"] == status
    assert message in response.json()["message"]


def test_live_check_says_when_partner_center_is_down(client, pc_sandbox):
    client.force_login(reseller_user())
    pc_sandbox.control.inject_fault("drop", path_prefix="/v1/domains")

    response = client.get(PREFIX_CHECK_URL, {"prefix": FREE_PREFIX})

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
