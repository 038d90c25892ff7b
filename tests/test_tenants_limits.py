"""Limits on Partner Center lookups from pages: per user, per reseller, the kept «Domain Prefix»
answers and the interactive budget of the client (sandbox over HTTPS, real cache counters)."""

import pytest
from django.urls import reverse

from partnercenter.lookups import PartnerCenterBusyError
from partnercenter.models import PartnerCenterCall
from purchase.models import PurchaseDraft
from storefront.tests.factories import UserFactory
from tenants.models import Customer
from tenants.services import customer_check_relationship, tenant_check_prefix
from tenants.tests.factories import (
    CONTOSO_PREFIX,
    FABRIKAM_PREFIX,
    FREE_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    CustomerFactory,
    checkout_ready_cart,
    company_data,
    reseller_user,
)

pytestmark = pytest.mark.django_db

PREFIX_CHECK_URL = reverse("purchase:prefix_check")
TENANT_URL = reverse("purchase:tenant")
PARTNER_URL = reverse("purchase:partner")
LIMITED_TEXT = "Troppe verifiche su Partner Center in poco tempo"


def demo_user():
    return reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)


def partner_center_calls(pc_sandbox) -> list[dict]:
    return pc_sandbox.control.calls(path_prefix="/v1/")


def assert_limited(response) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


@pytest.fixture
def per_user_limit_of_3(settings):
    settings.PARTNER_CENTER_LOOKUP_RATE_PER_USER = "3/m"
    settings.PARTNER_CENTER_LOOKUP_RATE_PER_RESELLER = "100/m"


def walk_to_tenant_step(client, user) -> None:
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})


# --- The live check ---------------------------------------------------------------------------


def test_the_live_check_is_limited_per_user_with_429_and_retry_after(
    client, pc_sandbox, per_user_limit_of_3
):
    # Given a user allowed 3 lookups a minute
    client.force_login(demo_user())
    prefixes = ["primaimpresa", "secondaimpresa", "terzaimpresa", "quartaimpresa"]

    # When it checks four different prefixes
    responses = [client.get(PREFIX_CHECK_URL, {"prefix": prefix}) for prefix in prefixes]

    # Then the first three are answered, the fourth is refused without asking Partner Center
    assert [response.status_code for response in responses[:3]] == [200, 200, 200]
    refused = responses[3]
    assert_limited(refused)
    assert refused.json()["status"] == "limited"
    assert LIMITED_TEXT in refused.json()["message"]
    assert "riprova tra" in refused.json()["message"]
    domain_checks = [call["path"] for call in pc_sandbox.control.calls(path_prefix="/v1/domains")]
    assert domain_checks == [f"/v1/domains/{prefix}.onmicrosoft.com" for prefix in prefixes[:3]]


def test_the_limit_is_shared_by_the_users_of_a_reseller(client, pc_sandbox, settings):
    # Given 3 lookups a minute per user and 4 per reseller, and two users of one reseller
    settings.PARTNER_CENTER_LOOKUP_RATE_PER_USER = "3/m"
    settings.PARTNER_CENTER_LOOKUP_RATE_PER_RESELLER = "4/m"
    first = demo_user()
    colleague = UserFactory(reseller=first.reseller)

    # When the first uses its 3 and the colleague asks twice
    client.force_login(first)
    mine = [client.get(PREFIX_CHECK_URL, {"prefix": f"impresa{n}"}) for n in range(3)]
    client.force_login(colleague)
    theirs = [client.get(PREFIX_CHECK_URL, {"prefix": f"altra{n}"}) for n in range(2)]

    # Then the colleague's second is refused: the reseller's 4 are used
    assert [response.status_code for response in mine] == [200, 200, 200]
    assert theirs[0].status_code == 200
    assert_limited(theirs[1])


def test_the_same_prefix_typed_again_is_answered_from_the_kept_check(client, pc_sandbox):
    # Given a user typing the same taken prefix again and again
    client.force_login(demo_user())
    pc_sandbox.control.clear_calls()

    # When the live check asks 10 times
    answers = [client.get(PREFIX_CHECK_URL, {"prefix": CONTOSO_PREFIX}).json() for _ in range(10)]

    # Then Partner Center was asked once (the domain, then the customer search)
    assert {answer["status"] for answer in answers} == {"taken_related"}
    assert [call["path"] for call in partner_center_calls(pc_sandbox)] == [
        f"/v1/domains/{CONTOSO_PREFIX}.onmicrosoft.com",
        "/v1/customers",
    ]


def test_kept_checks_are_per_reseller(pc_sandbox):
    # The answer names the reseller's own relationship: another reseller never gets it
    related = demo_user().reseller
    other = reseller_user(mpn_id="7654321").reseller

    first = tenant_check_prefix(prefix=CONTOSO_PREFIX, reseller=related, use_cache=True)
    second = tenant_check_prefix(prefix=CONTOSO_PREFIX, reseller=other, use_cache=True)

    assert (first.status, second.status) == ("taken_related", "taken_unrelated")


# --- The wizard's forms and «Verifica relazione» ------------------------------------------------


def test_the_tenant_step_over_the_limit_keeps_the_prefix_and_says_when_to_retry(
    client, pc_sandbox, per_user_limit_of_3
):
    # Given a user at the «Tenant» step who used its 3 lookups
    user = demo_user()
    walk_to_tenant_step(client, user)
    for n in range(3):
        client.get(PREFIX_CHECK_URL, {"prefix": f"impresa{n}"})
    pc_sandbox.control.clear_calls()

    # When it submits a prefix
    response = client.post(TENANT_URL, {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})

    # Then the page says to wait, keeps what was typed, and Partner Center was not asked
    assert_limited(response)
    page = response.content.decode()
    assert LIMITED_TEXT in page
    assert "I dati inseriti sono stati conservati" in page
    assert f'value="{FREE_PREFIX}"' in page
    assert PurchaseDraft.objects.get(cart__user=user).tenant == {"prefix": FREE_PREFIX}
    assert partner_center_calls(pc_sandbox) == []


def test_verifica_relazione_in_the_wizard_asks_again_despite_the_kept_check(
    client, pc_sandbox, at_fabrikam
):
    # Given the invitation shown for fabrikamsrl (its answer kept), then accepted
    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )

    # When the reseller presses «Verifica relazione»
    response = client.post(
        TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "verify"}, follow=True
    )

    # Then it is asked again and found accepted
    assert 'data-relationship="accepted"' in response.content.decode()


@pytest.fixture
def at_fabrikam(client, pc_sandbox):
    user = demo_user()
    walk_to_tenant_step(client, user)
    client.post(TENANT_URL, {"tenant_domain_prefix": FABRIKAM_PREFIX, "action": "next"})
    return user


def test_the_partner_step_over_the_limit_keeps_the_mpn_id(client, pc_sandbox, per_user_limit_of_3):
    # Given a user at the «Partner» step (its prefix check used one lookup) who used two more
    user = demo_user()
    walk_to_tenant_step(client, user)
    client.post(TENANT_URL, {"tenant_domain_prefix": FREE_PREFIX, "action": "next"})
    for n in range(2):
        client.get(PREFIX_CHECK_URL, {"prefix": f"impresa{n}"})
    pc_sandbox.control.clear_calls()

    # When it submits its MPN ID
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    # Then it is told to wait, the MPN ID is kept, and nothing was asked
    assert_limited(response)
    page = response.content.decode()
    assert LIMITED_TEXT in page
    assert f'value="{VALID_MPN_ID}"' in page
    assert PurchaseDraft.objects.get(cart__user=user).partner == {"mpn_id": VALID_MPN_ID}
    assert partner_center_calls(pc_sandbox) == []


def test_verifica_relazione_of_a_customer_over_the_limit_says_when_to_retry(
    client, pc_sandbox, per_user_limit_of_3
):
    # Given a customer waiting for the relationship, and a user who used its 3 lookups
    user = demo_user()
    customer = CustomerFactory(
        reseller=user.reseller,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
        relationship_state=Customer.RelationshipState.PENDING,
    )
    client.force_login(user)
    url = reverse("tenants:customer_relationship_check", kwargs={"pk": customer.pk})
    for _ in range(3):
        client.post(url)
    pc_sandbox.control.clear_calls()

    # When it presses «Verifica relazione» again
    response = client.post(url, follow=True)

    # Then the page says to wait, and Partner Center was not asked
    assert response.redirect_chain[-1][0] == reverse(
        "tenants:customer_detail", kwargs={"pk": customer.pk}
    )
    assert LIMITED_TEXT in response.content.decode()
    assert partner_center_calls(pc_sandbox) == []


def test_the_limit_is_told_in_english_to_an_english_user(client, pc_sandbox, per_user_limit_of_3):
    user = demo_user()
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    for n in range(3):
        client.get(PREFIX_CHECK_URL, {"prefix": f"impresa{n}"})

    refused = client.get(PREFIX_CHECK_URL, {"prefix": "impresa9"})

    assert_limited(refused)
    assert "Too many Partner Center checks" in refused.json()["message"]
    assert "try again in" in refused.json()["message"]


# --- The client's interactive budget ----------------------------------------------------------


def test_pages_stop_at_the_interactive_budget_and_provisioning_keeps_its_share(
    client, pc_sandbox, settings
):
    # Given a budget of 3 Partner Center calls a minute for every page together
    settings.PARTNER_CENTER_INTERACTIVE_CALLS_PER_MINUTE = 3
    user = demo_user()
    client.force_login(user)
    pc_sandbox.control.clear_calls()

    # When pages ask: a taken prefix (2 calls), a free one (1), another one
    taken = client.get(PREFIX_CHECK_URL, {"prefix": CONTOSO_PREFIX})
    free = client.get(PREFIX_CHECK_URL, {"prefix": FREE_PREFIX})
    refused = client.get(PREFIX_CHECK_URL, {"prefix": "altraimpresa"})

    # Then the third page gets the same clear answer as a user over its limit, unsent
    assert (taken.status_code, free.status_code) == (200, 200)
    assert_limited(refused)
    assert LIMITED_TEXT in refused.json()["message"]
    assert len(partner_center_calls(pc_sandbox)) == 3
    assert PartnerCenterCall.objects.count() == 3  # nothing sent, nothing in the call log

    # And the worker's calls (not interactive) still go through in the same minute
    customer = CustomerFactory(
        reseller=user.reseller,
        tenant_domain_prefix=FABRIKAM_PREFIX,
        tenant_kind=Customer.TenantKind.EXISTING,
    )
    check = customer_check_relationship(customer=customer)
    assert check.state == Customer.RelationshipState.PENDING
    with pytest.raises(PartnerCenterBusyError) as busy:
        customer_check_relationship(customer=customer, interactive=True)
    assert 1 <= busy.value.retry_after <= 60
