"""Cart services, «Checkout >>»: the terms acceptance, the token, what asks to confirm again; the
cart closed once ordered."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Plan, Price
from checkout.errors import CartError
from checkout.models import Cart, TermsAcceptance
from checkout.services import (
    cart_add_plan,
    cart_checkout_start,
    cart_get_open,
    cart_line_add_addon,
    cart_line_remove,
    cart_line_set_quantity,
    terms_ensure_demo,
)
from checkout.tests.factories import TermsVersionFactory
from checkout.tests.helpers import start_checkout

pytestmark = pytest.mark.django_db


# --- «Checkout >>» -----------------------------------------------------------------------------


def test_checkout_records_the_terms_acceptance_and_keeps_the_token(user, plans):
    # Given a cart with a line and published terms
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    token = cart_get_open(user=user).checkout_token

    # When the user accepts the terms and checks out for resale
    cart = start_checkout(user, terms, purchase_type=Cart.PurchaseType.INTERNAL)

    # Then the acceptance is stored with user, reseller, terms version and IP
    acceptance = TermsAcceptance.objects.get()
    assert (acceptance.user, acceptance.reseller, acceptance.terms_version) == (
        user,
        user.reseller,
        terms,
    )
    assert acceptance.ip_address == "203.0.113.7"
    cart.refresh_from_db()
    assert cart.terms_acceptance == acceptance
    assert cart.purchase_type == Cart.PurchaseType.INTERNAL
    assert cart.checkout_started_at is not None and cart.is_checkout_started
    assert cart.checkout_token == token


def test_checkout_without_the_terms_is_refused_and_nothing_is_recorded(user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    with pytest.raises(CartError) as refused:
        start_checkout(user, terms, terms_accepted=False)
    assert refused.value.code == "terms_required"
    assert not TermsAcceptance.objects.exists()
    cart = cart_get_open(user=user)
    assert cart.checkout_started_at is None and cart.purchase_type == ""


def test_checkout_with_outdated_terms_is_refused(user, plans):
    base_plan, _addon = plans
    old = TermsVersionFactory(published_at=timezone.now() - timedelta(days=10))
    TermsVersionFactory(published_at=timezone.now() - timedelta(hours=1))
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    with pytest.raises(CartError) as refused:
        start_checkout(user, old)
    assert refused.value.code == "terms_outdated"
    assert not TermsAcceptance.objects.exists()


def test_checkout_without_published_terms_says_so(user, plans):
    base_plan, _addon = plans
    TermsVersionFactory(published_at=timezone.now() + timedelta(days=1))  # not yet in force
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    with pytest.raises(CartError) as refused:
        cart_checkout_start(
            user=user,
            terms_accepted=True,
            terms_version_id=None,
            purchase_type="resale",
            ip_address=None,
        )
    assert refused.value.code == "terms_unavailable"


def test_checkout_of_an_empty_cart_is_refused(user):
    terms = TermsVersionFactory()
    with pytest.raises(CartError) as refused:
        start_checkout(user, terms)
    assert refused.value.code == "cart_empty"
    assert not TermsAcceptance.objects.exists()


def test_checkout_with_an_invalid_purchase_type_is_refused(user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    with pytest.raises(CartError) as refused:
        start_checkout(user, terms, purchase_type="gift")
    assert refused.value.code == "purchase_type_invalid"


def test_checkout_with_a_line_no_longer_sold_is_refused(user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    Plan.objects.filter(pk=base_plan.pk).update(is_active=False)
    with pytest.raises(CartError) as refused:
        start_checkout(user, terms)
    assert refused.value.code == "lines_unavailable"
    assert "Microsoft 365 Business Standard" in refused.value.message
    assert not TermsAcceptance.objects.exists()


def test_checkout_accepts_todays_prices_as_seen(user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    line = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    Price.objects.filter(plan=base_plan).update(cost_price=Decimal("150.00"))
    start_checkout(user, terms)
    line.refresh_from_db()
    assert line.unit_price_seen == Decimal("150.00")


def test_invalid_ip_address_is_stored_as_unknown(user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    start_checkout(user, terms, ip_address="not-an-address")
    assert TermsAcceptance.objects.get().ip_address is None


def test_changing_the_cart_after_checkout_asks_to_confirm_again(user, plans):
    # Given a cart checked out
    base_plan, addon_plan = plans
    terms = TermsVersionFactory()
    line = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    cart = start_checkout(user, terms)
    token = cart.checkout_token

    # When any line changes, the checkout is void but the token stays
    for change in (
        lambda: cart_line_set_quantity(user=user, line_id=line.pk, quantity=6),
        lambda: cart_line_add_addon(
            user=user, base_line_id=line.pk, plan_id=addon_plan.pk, quantity=1
        ),
        lambda: cart_add_plan(user=user, plan_id=base_plan.pk, quantity=1, addon_quantities={}),
        lambda: cart_line_remove(user=user, line_id=line.addon_lines.get().pk),
    ):
        start_checkout(user, terms)
        change()
        cart.refresh_from_db()
        assert cart.checkout_started_at is None and cart.terms_acceptance is None
        assert not cart.is_checkout_started
        assert cart.checkout_token == token


def test_unchanged_quantity_keeps_the_checkout(user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    line = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    start_checkout(user, terms)
    cart_line_set_quantity(user=user, line_id=line.pk, quantity=5)
    assert cart_get_open(user=user).is_checkout_started


def test_second_checkout_keeps_the_same_token(user, plans):
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    first = start_checkout(user, terms)
    second = start_checkout(user, terms)
    assert first.pk == second.pk and first.checkout_token == second.checkout_token


# --- After the order ---------------------------------------------------------------------------


def test_ordered_cart_is_closed_and_a_new_one_opens(user, plans):
    # Given a cart checked out and ordered
    base_plan, _addon = plans
    terms = TermsVersionFactory()
    line = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=5, addon_quantities={})
    ordered = start_checkout(user, terms)
    Cart.objects.filter(pk=ordered.pk).update(status=Cart.Status.ORDERED)  # as order_place does

    # Then its lines can no longer change
    with pytest.raises(CartError) as refused:
        cart_line_set_quantity(user=user, line_id=line.pk, quantity=6)
    assert refused.value.code == "line_not_found"
    line.refresh_from_db()
    assert line.quantity == 5

    # And the next add goes to a new open cart with a new token
    new_line = cart_add_plan(user=user, plan_id=base_plan.pk, quantity=1, addon_quantities={})
    assert new_line.cart != ordered
    assert new_line.cart.checkout_token != ordered.checkout_token
    ordered.refresh_from_db()
    assert ordered.status == Cart.Status.ORDERED


def test_demo_terms_are_published_once():
    first = terms_ensure_demo()
    assert terms_ensure_demo() == first
    assert first.published_at <= timezone.now()
