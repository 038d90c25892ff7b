"""The purchase wizard: back keeps every step, what was typed survives an error and a reload, the
company step's prefill."""

import pytest

from checkout.models import Cart
from purchase.models import PurchaseDraft
from tenants.tests.factories import FREE_PREFIX, VALID_MPN_ID, checkout_ready_cart, company_data
from tests.wizard_flow.helpers import (
    COMPANY_URL,
    CONFIRM_URL,
    CUSTOMER_URL,
    PARTNER_URL,
    TENANT_URL,
    walk_to_confirm,
)

pytestmark = pytest.mark.django_db


# --- Back, reload, errors ---------------------------------------------------------------------


def test_back_keeps_every_step(client, pc_sandbox, cart):
    walk_to_confirm(client)

    assert client.post(CONFIRM_URL, {"action": "back"})["Location"] == PARTNER_URL
    partner = client.post(PARTNER_URL, {"mpn_id": VALID_MPN_ID, "action": "back"})
    assert partner["Location"] == TENANT_URL
    assert f'value="{FREE_PREFIX}"' in client.get(TENANT_URL).content.decode()
    tenant = client.post(TENANT_URL, {"tenant_domain_prefix": FREE_PREFIX, "action": "back"})
    assert tenant["Location"] == COMPANY_URL
    company_page = client.get(COMPANY_URL).content.decode()
    assert 'value="Nuova Impresa S.r.l."' in company_page
    assert 'value="luca.neri@nuovaimpresa.example"' in company_page
    assert client.get(CONFIRM_URL).status_code == 200
    assert f'value="{VALID_MPN_ID}"' in client.get(PARTNER_URL).content.decode()


def test_back_from_a_half_filled_company_step_keeps_what_was_typed(client, cart):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})

    response = client.post(
        COMPANY_URL, {"company_name": "Solo Il Nome S.r.l.", "vat_number": "123", "action": "back"}
    )

    assert response["Location"] == CUSTOMER_URL
    draft = PurchaseDraft.objects.get(cart=cart)
    assert draft.company["is_complete"] is False
    assert draft.company["values"]["company_name"] == "Solo Il Nome S.r.l."
    assert 'value="Solo Il Nome S.r.l."' in client.get(COMPANY_URL).content.decode()


def test_company_errors_are_shown_beside_their_fields_and_survive_a_reload(client, cart):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})

    response = client.post(
        COMPANY_URL, {**company_data(vat_number="01234560158", province="Torino"), "action": "next"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "La Partita IVA non è valida: la cifra di controllo non corrisponde." in page
    assert "La provincia è la sigla di 2 lettere" in page
    assert 'value="01234560158"' in page
    assert 'value="Torino"' in page
    reloaded = client.get(COMPANY_URL).content.decode()
    assert 'value="01234560158"' in reloaded


def test_company_step_shows_the_guide_warning(client, cart):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})

    page = client.get(COMPANY_URL).content.decode()

    assert "IMPORTANTE:" in page
    assert "l'esatta ragione sociale che compare nel suo portale Office 365" in page
    assert "Nome azienda" in page and "Prossimo &gt;&gt;" in page and "&lt;&lt; Indietro" in page


def test_internal_use_prefills_the_company_from_the_reseller_profile(client, user):
    checkout_ready_cart(user=user, purchase_type=Cart.PurchaseType.INTERNAL)
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})

    page = client.get(COMPANY_URL).content.decode()

    assert f'value="{user.reseller.company_name}"' in page
    assert f'value="{user.reseller.vat_number}"' in page


def test_resale_does_not_prefill_the_company(client, user, cart):
    client.post(CUSTOMER_URL, {"choice": "new", "action": "next"})

    page = client.get(COMPANY_URL).content.decode()

    assert user.reseller.company_name not in page.split("<main", 1)[1].split("</main>")[0]
