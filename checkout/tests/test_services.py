"""Cart services: adding, merging, limits, add-ons, removal («Checkout >>» and its terms:
test_services_checkout.py)."""

from datetime import date
from decimal import Decimal
from unittest import mock

import pytest
from django.db.models import QuerySet

from catalog.models import Plan, Price
from checkout.errors import CartError
from checkout.models import Cart, CartLine
from checkout.services import (
    cart_add_plan,
    cart_get_open,
    cart_line_add_addon,
    cart_line_remove,
    cart_line_set_quantity,
)
from checkout.tests.factories import plan_on_sale, reseller_user, sku_create

pytestmark = pytest.mark.django_db


# --- The open cart -----------------------------------------------------------------------------


def test_one_open_cart_per_user_survives_and_is_reused(user):
    first = cart_get_open(user=user)
    assert cart_get_open(user=user) == first
    assert first.reseller == user.reseller and first.status == Cart.Status.OPEN


def test_open_cart_created_concurrently_is_found_not_duplicated(user):
    # Given another request created the cart between our read and our insert
    existing = Cart.objects.create(user=user, reseller=user.reseller)
    with mock.patch.object(QuerySet, "first", return_value=None):
        cart = cart_get_open(user=user)
    # Then the unique constraint turns our insert into a read of that cart
    assert cart == existing
    assert Cart.objects.filter(user=user).count() == 1


# --- Adding ------------------------------------------------------------------------------------


def test_add_plan_with_addon_creates_base_and_attached_addon_lines(user, plans):
    base_plan, addon_plan = plans
    base = cart_add_plan(
        user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={addon_plan.pk: 3}
    )
    assert (base.plan, base.quantity, base.base_line, base.unit_price_seen) == (
        base_plan,
        5,
        None,
        Decimal("140.40"),
    )
    addon = base.addon_lines.get()
    assert (addon.plan, addon.quantity, addon.unit_price_seen) == (addon_plan, 3, Decimal("36.00"))
    assert base.cart == Cart.objects.get(user=user, status=Cart.Status.OPEN)


def test_adding_the_same_plan_again_merges_quantities_and_addons(user, plans):
    base_plan, addon_plan = plans
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={addon_plan.pk: 2})
    base = cart_add_plan(
        user=user, plan_id=base_plan.pk, quantity=3, addon_quantities={addon_plan.pk: 4}
    )
    assert CartLine.objects.count() == 2
    base.refresh_from_db()
    assert base.quantity == 8
    assert base.addon_lines.get().quantity == 6


@pytest.mark.parametrize("quantity", [0, -1, 301])
def test_quantity_outside_the_sku_limits_is_refused_and_nothing_is_added(user, plans, quantity):
    base_plan, _addon = plans
    with pytest.raises(CartError) as refused:
        cart_add_plan(user=user, plan_id=base_plan.pk, quantity=quantity, addon_quantities={})
    assert refused.value.code in {"quantity_below_min", "quantity_above_max"}
    assert not CartLine.objects.exists()


def test_merged_quantity_above_the_maximum_is_refused_with_what_is_in_the_cart(user, plans):
    base_plan, _addon = plans
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=295, addon_quantities={})
    with pytest.raises(CartError) as refused:
        cart_add_plan(user=user, plan_id=base_plan.pk, quantity=10, addon_quantities={})
    assert refused.value.code == "quantity_above_max"
    assert refused.value.message == (
        "Per Microsoft 365 Business Standard si possono acquistare al massimo 300 licenze. "
        "Nel carrello ce ne sono già 295."
    )
    assert CartLine.objects.get().quantity == 295


def test_addon_above_its_base_is_refused_and_nothing_is_added(user, plans):
    base_plan, addon_plan = plans
    with pytest.raises(CartError) as refused:
        cart_add_plan(
            user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={addon_plan.pk: 6}
        )
    assert refused.value.code == "addon_above_base"
    assert refused.value.message == (
        "Le licenze di Exchange Online Archiving (6) non possono superare quelle di "
        "Microsoft 365 Business Standard (5)."
    )
    assert not CartLine.objects.exists()


def test_addon_that_allows_it_may_exceed_its_base(user):
    base_sku = sku_create(title="Microsoft 365 Business Basic")
    audio = sku_create(
        title="Microsoft Teams Audio Conferencing",
        is_addon=True,
        allows_quantity_above_base=True,
        prerequisites=(base_sku,),
    )
    base_plan, audio_plan = plan_on_sale(base_sku, price="60.00"), plan_on_sale(audio, price="0.00")
    base = cart_add_plan(
        user=user, plan_id=base_plan.pk, quantity=2, addon_quantities={audio_plan.pk: 10}
    )
    assert base.addon_lines.get().quantity == 10


def test_addon_not_valid_for_the_base_sku_is_refused(user, plans):
    base_plan, _addon = plans
    other_addon = plan_on_sale(
        sku_create(title="Microsoft 365 E5 Security", is_addon=True), price="144.00"
    )
    with pytest.raises(CartError) as refused:
        cart_add_plan(
            user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={other_addon.pk: 1}
        )
    assert refused.value.code == "addon_not_valid"
    assert not Cart.objects.exists()


def test_addon_with_another_term_is_not_valid_for_the_base(user, plans):
    base_plan, addon_plan = plans
    annual_addon = plan_on_sale(addon_plan.sku, price="36.00", billing=Plan.Billing.ANNUAL)
    with pytest.raises(CartError) as refused:
        cart_add_plan(
            user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={annual_addon.pk: 1}
        )
    assert refused.value.code == "addon_not_valid"


def test_addon_alone_is_refused(user, plans):
    _base, addon_plan = plans
    with pytest.raises(CartError) as refused:
        cart_add_plan(user=user, plan_id=addon_plan.pk, quantity=1, addon_quantities={})
    assert refused.value.code == "addon_without_base"
    assert not CartLine.objects.exists()


def test_plan_no_longer_sold_is_refused(user, plans):
    base_plan, _addon = plans
    Plan.objects.filter(pk=base_plan.pk).update(is_active=False)
    with pytest.raises(CartError) as refused:
        cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    assert refused.value.code == "plan_not_sold"
    assert not CartLine.objects.exists()


def test_plan_without_a_price_in_force_today_is_refused(user, plans):
    base_plan, _addon = plans
    Price.objects.filter(plan=base_plan).update(effective_end=date(2021, 1, 1))
    with pytest.raises(CartError) as refused:
        cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    assert refused.value.code == "plan_not_sold"


def test_missing_plan_is_refused(user):
    with pytest.raises(CartError) as refused:
        cart_add_plan(user=user, plan_id=987654321, quantity=1, addon_quantities={})
    assert refused.value.code == "plan_not_sold"


def test_addon_added_later_to_a_base_line(user, plans):
    base_plan, addon_plan = plans
    base = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    addon = cart_line_add_addon(user=user, base_line_id=base.pk, plan_id=addon_plan.pk, quantity=5)
    assert (addon.base_line, addon.quantity) == (base, 5)
    with pytest.raises(CartError) as refused:
        cart_line_add_addon(user=user, base_line_id=base.pk, plan_id=addon_plan.pk, quantity=1)
    assert refused.value.code == "addon_above_base"
    addon.refresh_from_db()
    assert addon.quantity == 5


def test_addon_cannot_be_attached_to_an_addon_line(user, plans):
    base_plan, addon_plan = plans
    base = cart_add_plan(
        user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={addon_plan.pk: 5}
    )
    addon = base.addon_lines.get()
    with pytest.raises(CartError) as refused:
        cart_line_add_addon(user=user, base_line_id=addon.pk, plan_id=addon_plan.pk, quantity=1)
    assert refused.value.code == "addon_without_base"


# --- Changing and removing ---------------------------------------------------------------------


def test_set_quantity_within_limits(user, plans):
    base_plan, _addon = plans
    base = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    cart_line_set_quantity(user=user, line_id=base.pk, quantity=12)
    base.refresh_from_db()
    assert base.quantity == 12


def test_base_below_its_addons_is_refused_and_nothing_changes(user, plans):
    base_plan, addon_plan = plans
    base = cart_add_plan(
        user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={addon_plan.pk: 5}
    )
    with pytest.raises(CartError) as refused:
        cart_line_set_quantity(user=user, line_id=base.pk, quantity=4)
    assert refused.value.code == "addon_above_base"
    base.refresh_from_db()
    assert base.quantity == 5


def test_addon_above_its_base_on_change_is_refused(user, plans):
    base_plan, addon_plan = plans
    base = cart_add_plan(
        user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={addon_plan.pk: 2}
    )
    addon = base.addon_lines.get()
    with pytest.raises(CartError) as refused:
        cart_line_set_quantity(user=user, line_id=addon.pk, quantity=6)
    assert refused.value.code == "addon_above_base"
    addon.refresh_from_db()
    assert addon.quantity == 2


@pytest.mark.parametrize("quantity", [0, -5, 10**30])
def test_set_quantity_outside_limits_is_refused(user, plans, quantity):
    base_plan, _addon = plans
    base = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    with pytest.raises(CartError):
        cart_line_set_quantity(user=user, line_id=base.pk, quantity=quantity)
    base.refresh_from_db()
    assert base.quantity == 5


def test_removing_a_base_line_removes_its_addons(user, plans):
    base_plan, addon_plan = plans
    base = cart_add_plan(
        user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={addon_plan.pk: 5}
    )
    cart_line_remove(user=user, line_id=base.pk)
    assert not CartLine.objects.exists()


def test_another_users_line_is_not_found_and_unchanged(user, plans):
    base_plan, addon_plan = plans
    other = reseller_user()
    line = cart_add_plan(user=other, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    for change in (
        lambda: cart_line_set_quantity(user=user, line_id=line.pk, quantity=1),
        lambda: cart_line_remove(user=user, line_id=line.pk),
        lambda: cart_line_add_addon(
            user=user, base_line_id=line.pk, plan_id=addon_plan.pk, quantity=1
        ),
    ):
        with pytest.raises(CartError) as refused:
            change()
        assert refused.value.code == "line_not_found"
    line.refresh_from_db()
    assert line.quantity == 5 and CartLine.objects.count() == 1
