"""The checkout draft and how the wizard reads it (no Partner Center involved)."""

from datetime import UTC, datetime

import pytest

from purchase.models import PurchaseDraft
from purchase.selectors import purchase_wizard_state
from purchase.services import (
    purchase_draft_choose_customer,
    purchase_draft_get_or_create,
    purchase_draft_save_mpn,
    purchase_draft_save_prefix,
)
from resellers.services import MpnValidation
from storefront.tests.factories import ResellerFactory
from tenants.models import Customer
from tenants.tests.factories import (
    FREE_PREFIX,
    VALID_MPN_ID,
    CustomerFactory,
    checkout_ready_cart,
    draft_ready_to_confirm,
    reseller_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cart():
    return checkout_ready_cart(user=reseller_user())


def valid(mpn_id: str) -> MpnValidation:
    return MpnValidation(
        mpn_id=mpn_id,
        code="valid",
        reseller_tenant_id="3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
        checked_at=datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
    )


def test_one_draft_per_cart(cart):
    first = purchase_draft_get_or_create(cart=cart)
    second = purchase_draft_get_or_create(cart=cart)

    assert first.pk == second.pk
    assert PurchaseDraft.objects.count() == 1


def test_a_new_draft_starts_at_the_customer_step(cart):
    state = purchase_wizard_state(draft=purchase_draft_get_or_create(cart=cart))

    assert state.first_step_to_do() == "customer"
    assert state.steps == ("customer", "company", "tenant", "partner", "confirm")
    assert [state.can_open(step) for step in state.steps] == [True, False, False, False, False]


def test_a_complete_draft_can_be_confirmed(cart):
    state = purchase_wizard_state(draft=draft_ready_to_confirm(cart=cart))

    assert state.first_step_to_do() == "confirm"
    assert all(state.can_open(step) for step in state.steps)
    assert (state.tenant.branch, state.validated_mpn_id) == ("B", VALID_MPN_ID)


def test_a_prefix_typed_after_the_check_undoes_the_tenant_step(cart):
    draft = draft_ready_to_confirm(cart=cart)

    purchase_draft_save_prefix(draft=draft, prefix="unaltroprefisso")

    state = purchase_wizard_state(draft=draft)
    assert (state.typed_prefix, state.checked_tenant) == ("unaltroprefisso", None)
    assert state.first_step_to_do() == "tenant"


def test_typing_the_checked_prefix_again_keeps_its_check(cart):
    draft = draft_ready_to_confirm(cart=cart)

    purchase_draft_save_prefix(draft=draft, prefix=FREE_PREFIX)

    assert purchase_wizard_state(draft=draft).checked_tenant.prefix == FREE_PREFIX


def test_another_mpn_id_undoes_the_partner_step_and_the_same_one_keeps_it(cart):
    draft = draft_ready_to_confirm(cart=cart)

    purchase_draft_save_mpn(draft=draft, mpn_id=VALID_MPN_ID)
    assert purchase_wizard_state(draft=draft).validated_mpn_id == VALID_MPN_ID

    purchase_draft_save_mpn(draft=draft, mpn_id="7654321")
    assert purchase_wizard_state(draft=draft).first_step_to_do() == "partner"

    purchase_draft_save_mpn(draft=draft, mpn_id="7654321", validation=valid("7654321"))
    assert purchase_wizard_state(draft=draft).validated_mpn_id == "7654321"


def test_steps_of_two_tabs_do_not_overwrite_each_other(cart):
    tab_one = purchase_draft_get_or_create(cart=cart)
    tab_two = PurchaseDraft.objects.get(pk=tab_one.pk)

    purchase_draft_save_prefix(draft=tab_one, prefix=FREE_PREFIX)
    purchase_draft_save_mpn(draft=tab_two, mpn_id=VALID_MPN_ID)

    stored = PurchaseDraft.objects.get(pk=tab_one.pk)
    assert (stored.tenant, stored.partner) == ({"prefix": FREE_PREFIX}, {"mpn_id": VALID_MPN_ID})


def test_existing_customer_skips_company_and_tenant(cart):
    customer = CustomerFactory(reseller=cart.reseller)
    draft = purchase_draft_get_or_create(cart=cart)

    purchase_draft_choose_customer(draft=draft, choice="existing", customer=customer)

    state = purchase_wizard_state(draft=draft)
    assert state.steps == ("customer", "partner", "confirm")
    assert state.first_step_to_do() == "partner"
    assert state.tenant.prefix == customer.tenant_domain_prefix


def test_another_resellers_customer_cannot_be_chosen(cart):
    draft = purchase_draft_get_or_create(cart=cart)
    foreign = CustomerFactory(reseller=ResellerFactory())

    with pytest.raises(ValueError):
        purchase_draft_choose_customer(draft=draft, choice="existing", customer=foreign)

    stored = PurchaseDraft.objects.get(pk=draft.pk)
    assert (stored.customer_choice, stored.existing_customer) == ("", None)


def test_choosing_a_new_customer_keeps_what_was_typed_for_it(cart):
    draft = draft_ready_to_confirm(cart=cart)
    customer = CustomerFactory(reseller=cart.reseller)
    purchase_draft_choose_customer(draft=draft, choice="existing", customer=customer)

    purchase_draft_choose_customer(draft=draft, choice="new")

    state = purchase_wizard_state(draft=draft)
    assert (state.existing_customer, state.first_step_to_do()) == (None, "confirm")


def test_company_name_mismatch_is_told_only_for_a_different_legal_name(cart):
    same = purchase_wizard_state(
        draft=draft_ready_to_confirm(
            cart=cart,
            is_taken=True,
            partner_center_customer_id="b7e3c1d2-4a5f-4e6b-8c9d-0e1f2a3b4c5d",
            partner_center_company_name=" Nuova  Impresa S.r.l.",
        )
    )
    assert same.is_company_name_mismatch is False

    PurchaseDraft.objects.all().delete()
    other = purchase_wizard_state(
        draft=draft_ready_to_confirm(
            cart=cart,
            is_taken=True,
            partner_center_customer_id="b7e3c1d2-4a5f-4e6b-8c9d-0e1f2a3b4c5d",
            partner_center_company_name="Nuova Impresa Srl",
        )
    )
    assert other.is_company_name_mismatch is True
    assert Customer.objects.count() == 0
