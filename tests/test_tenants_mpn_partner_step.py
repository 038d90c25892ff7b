"""The «Partner» step of the wizard: the MPN ID checked against the Partner Center sandbox, the
reseller's own prefilled, another reseller's refused, Partner Center unavailable."""

import pytest
from django.urls import reverse

from purchase.models import PurchaseDraft
from resellers.tests.helpers import UNCHECKED, profile
from tenants.tests.factories import (
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    company_data,
    other_reseller_user,
    reseller_user,
)

pytestmark = pytest.mark.django_db

PARTNER_URL = reverse("purchase:partner")


def walk_to_partner_step(client, user):
    checkout_ready_cart(user=user)
    client.force_login(user)
    client.post(reverse("purchase:customer"), {"choice": "new", "action": "next"})
    client.post(reverse("purchase:company"), {**company_data(), "action": "next"})
    client.post(
        reverse("purchase:tenant"),
        {"tenant_domain_prefix": "nuovaimpresa2026", "action": "next"},
    )
    return user


@pytest.fixture
def at_partner_step(client, pc_sandbox):
    return walk_to_partner_step(client, reseller_user())


def test_partner_step_prefills_the_profile_mpn_id_with_the_warnings(client, at_partner_step):
    page = client.get(PARTNER_URL).content.decode()

    assert f'value="{VALID_MPN_ID}"' in page
    assert "ATTENZIONE!" in page
    assert "altrimenti la sottoscrizione non verrà attivata" in page
    assert 'href="https://partner.microsoft.com/it-it/"' in page
    assert "data-mpn-registered" in page


def test_valid_mpn_id_goes_on_to_the_confirmation(client, at_partner_step):
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    assert response["Location"] == reverse("purchase:confirm")
    draft = PurchaseDraft.objects.get(cart__user=at_partner_step)
    assert draft.partner["validated"]["mpn_id"] == VALID_MPN_ID
    assert draft.partner["validated"]["reseller_tenant_id"] == VALID_RESELLER_TENANT_ID


@pytest.mark.parametrize(
    ("mpn_id", "message"),
    [
        ("9999999", "L&#x27;MPN ID 9999999 non è valido"),
        ("4567890", "non risulta tra i rivenditori indiretti del distributore"),
        ("2345678", "non è attivo in Partner Center"),
        ("3456789", "Microsoft Partner Agreement (MPA)"),
        ("5678901", "area geografica diversa dall&#x27;Italia"),
    ],
)
def test_refused_mpn_id_stays_with_the_reason_the_partner_site_and_support(
    client, pc_sandbox, settings, mpn_id, message
):
    user = walk_to_partner_step(client, reseller_user(mpn_id=mpn_id))

    response = client.post(PARTNER_URL, {"mpn_id": mpn_id, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert f'value="{mpn_id}"' in page
    assert 'href="https://partner.microsoft.com/it-it/"' in page
    assert f"mailto:{settings.SUPPORT_EMAIL}" in page
    draft = PurchaseDraft.objects.get(cart__user=user)
    assert draft.partner == {"mpn_id": mpn_id}
    assert client.get(reverse("purchase:confirm"))["Location"] == PARTNER_URL


def test_another_resellers_mpn_id_is_refused_on_the_partner_step(client, pc_sandbox, settings):
    # Given a reseller with its own MPN ID at the «Partner» step
    user = walk_to_partner_step(client, other_reseller_user())
    own_mpn_id = user.reseller.mpn_id
    pc_sandbox.control.clear_calls()

    # When it types the demo reseller's valid MPN ID
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    # Then it is refused: its registered MPN ID is the one, to change it ask the support
    assert response.status_code == 200
    page = response.content.decode()
    assert (
        f"L&#x27;MPN ID {VALID_MPN_ID} non è quello registrato presso il distributore per la tua "
        f"azienda: usa l&#x27;MPN ID registrato ({own_mpn_id}). Per cambiarlo contatta "
        f"l&#x27;assistenza: {settings.SUPPORT_EMAIL}."
    ) in page
    # and nothing changed: no call, the step not done, the profile as it was
    assert pc_sandbox.control.calls() == []
    assert PurchaseDraft.objects.get(cart__user=user).partner == {"mpn_id": VALID_MPN_ID}
    assert client.get(reverse("purchase:confirm"))["Location"] == PARTNER_URL
    assert profile(user.reseller) == (own_mpn_id, *UNCHECKED)
    # and the page offers the registered MPN ID again
    assert f'value="{own_mpn_id}"' in client.get(PARTNER_URL).content.decode()


def test_a_reseller_without_mpn_id_is_told_to_contact_the_distributor(client, pc_sandbox, settings):
    # Given a reseller whose profile has no MPN ID, at the «Partner» step
    user = walk_to_partner_step(client, other_reseller_user(mpn_id=""))
    pc_sandbox.control.clear_calls()

    # When it opens the step, then types a valid MPN ID
    page = client.get(PARTNER_URL).content.decode()
    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    # Then both say to have the distributor register it, and nothing changed
    assert "data-mpn-missing" in page
    assert f'href="mailto:{settings.SUPPORT_EMAIL}"' in page
    assert response.status_code == 200
    assert "non ha ancora registrato un MPN ID per la tua azienda" in response.content.decode()
    assert pc_sandbox.control.calls() == []
    assert PurchaseDraft.objects.get(cart__user=user).partner == {"mpn_id": VALID_MPN_ID}
    assert profile(user.reseller) == ("", *UNCHECKED)


def test_partner_center_unavailable_on_the_partner_step(client, at_partner_step, pc_sandbox):
    pc_sandbox.control.inject_fault("drop", path_prefix="/v1/compliance")

    response = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "riprova tra qualche minuto" in page
    assert f'value="{VALID_MPN_ID}"' in page
    assert PurchaseDraft.objects.get(cart__user=at_partner_step).partner == {"mpn_id": VALID_MPN_ID}

    pc_sandbox.control.clear_faults()
    retried = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "next"})
    assert retried["Location"] == reverse("purchase:confirm")
