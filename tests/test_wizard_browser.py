"""The guide's steps 9–15 in a real browser against the Partner Center sandbox: a new tenant
(branch B), and an existing tenant whose administrator accepts the invitation in another tab
(branch A), going back once and finding the data still there."""

import re

import pytest
from playwright.sync_api import expect

from orders.models import Order
from tenants.models import Customer
from tenants.tests.factories import (
    FABRIKAM_NAME,
    FABRIKAM_PREFIX,
    VALID_MPN_ID,
    VALID_RESELLER_TENANT_ID,
    checkout_ready_cart,
    reseller_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = {
    "#id_company_name": "Nuova Impresa S.r.l.",
    "#id_vat_number": "01234560157",
    "#id_address_line": "Via Torino 10",
    "#id_postal_code": "10121",
    "#id_city": "Torino",
    "#id_province": "to",
    "#id_contact_first_name": "Luca",
    "#id_contact_last_name": "Neri",
    "#id_contact_email": "luca.neri@nuovaimpresa.example",
    "#id_contact_phone": "+39 011 7654321",
}
ORDER_PLACED_URL = re.compile(r"/ordini/\d+/completato/$")


def next_step(page) -> None:
    page.get_by_role("button", name="Prossimo >>").click()
    page.wait_for_load_state()


def start_wizard(page, company: dict) -> None:
    page.goto(f"{page.live_server_url}/clienti/acquisto/")
    page.get_by_label("per un nuovo cliente").check()
    next_step(page)
    expect(page.locator("[data-company-name-warning]")).to_contain_text("IMPORTANTE")
    for selector, value in company.items():
        page.fill(selector, value)
    next_step(page)
    expect(page.locator("[data-wizard-step=tenant]")).to_be_visible()


def type_prefix(page, prefix: str, expected_status: str) -> None:
    page.get_by_label("Domain Prefix").press_sequentially(prefix, delay=20)
    expect(page.locator("#prefix-status")).to_have_attribute("data-status", expected_status)


def test_new_customer_with_a_new_tenant_going_back_once(pc_sandbox, signed_in_page):
    # Given a reseller user with a confirmed cart
    user = reseller_user()
    checkout_ready_cart(user=user)
    page = signed_in_page(user)

    # When the company data is entered and a free prefix typed (in capitals)
    start_wizard(page, COMPANY)
    type_prefix(page, "NuovaImpresa2026", "free")
    expect(page.locator("#prefix-status")).to_contain_text(
        "nuovaimpresa2026.onmicrosoft.com è libero"
    )

    # And the user goes back once: the company data is still there
    page.get_by_role("button", name="<< Indietro").click()
    expect(page.locator("#id_company_name")).to_have_value("Nuova Impresa S.r.l.")
    expect(page.locator("#id_province")).to_have_value("TO")
    expect(page.locator("#id_contact_email")).to_have_value("luca.neri@nuovaimpresa.example")

    # And forward again: the prefix typed is kept, lower case
    next_step(page)
    expect(page.get_by_label("Domain Prefix")).to_have_value("nuovaimpresa2026")
    next_step(page)

    # Then the MPN ID comes from the profile and is validated
    expect(page.get_by_label("MPN ID")).to_have_value(VALID_MPN_ID)
    expect(page.locator("[data-mpn-warning]")).to_contain_text("ATTENZIONE!")
    next_step(page)

    # And the confirmation says branch B, then places the order
    expect(page.locator("[data-tenant-branch=B]")).to_contain_text(
        "Verrà creato il tenant nuovaimpresa2026.onmicrosoft.com"
    )
    expect(page.locator("[data-confirm-mpn]")).to_have_text(VALID_MPN_ID)
    next_step(page)
    expect(page).to_have_url(ORDER_PLACED_URL)
    order = Order.objects.get()
    assert (order.customer.company_name, order.tenant_domain, order.is_new_tenant) == (
        "Nuova Impresa S.r.l.",
        "nuovaimpresa2026.onmicrosoft.com",
        True,
    )


def test_existing_tenant_accepts_the_invitation_in_another_tab(pc_sandbox, signed_in_page, browser):
    # Given a reseller user (its tenant id known) with a confirmed cart, buying for Fabrikam's
    # existing tenant
    user = reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    checkout_ready_cart(user=user)
    page = signed_in_page(user)
    start_wizard(page, {**COMPANY, "#id_company_name": FABRIKAM_NAME})

    # When the prefix of a tenant without relationship is typed and submitted
    type_prefix(page, FABRIKAM_PREFIX, "taken_unrelated")
    next_step(page)

    # Then the invitation, its e-mail and «Verifica relazione» are shown
    expect(page.locator("[data-relationship=pending]")).to_be_visible()
    invitation_url = page.locator("[data-invitation-url]").input_value()
    expect(page.locator("[data-invitation-email]")).to_contain_text(invitation_url)
    page.get_by_role("button", name="Verifica relazione").click()
    expect(page.locator("[data-relationship=pending]")).to_be_visible()

    # When the customer's administrator accepts it in another tab (another person's browser:
    # its own context, which trusts the sandbox's self-signed certificate)
    admin_context = browser.new_context(locale="it-IT", ignore_https_errors=True)
    admin_page = admin_context.new_page()
    admin_page.goto(invitation_url)
    expect(admin_page.locator("input[name=domain]")).to_have_value(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com"
    )
    admin_page.get_by_role("button", name="Accetta").click()
    expect(admin_page.get_by_role("heading", name="Relazione accettata")).to_be_visible()
    admin_context.close()

    # Then «Verifica relazione» turns green
    page.get_by_role("button", name="Verifica relazione").click()
    expect(page.locator("[data-relationship=accepted]")).to_contain_text(
        "Caso A — tenant esistente."
    )
    expect(page.locator("[data-company-name-mismatch]")).to_have_count(0)
    next_step(page)

    # And back once from the MPN ID: the tenant and its relationship are still there
    page.get_by_role("button", name="<< Indietro").click()
    expect(page.get_by_label("Domain Prefix")).to_have_value(FABRIKAM_PREFIX)
    expect(page.locator("[data-relationship=accepted]")).to_be_visible()
    next_step(page)
    next_step(page)

    expect(page.locator("[data-tenant-branch=A]")).to_contain_text("Caso A")
    next_step(page)
    expect(page).to_have_url(ORDER_PLACED_URL)
    customer = Customer.objects.get()
    assert (customer.tenant_kind, customer.relationship_state) == (
        Customer.TenantKind.EXISTING,
        Customer.RelationshipState.ACCEPTED,
    )
    assert Order.objects.get().customer == customer
