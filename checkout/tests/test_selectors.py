"""The «Riepilogo»: amounts per billing period, VAT apart, price changes, plans no longer sold."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from catalog.models import Plan, Price
from checkout.errors import CartError
from checkout.models import Cart, CartLine
from checkout.selectors import (
    cart_addon_offers,
    cart_get_for_checkout,
    cart_summary,
    line_amount_per_billing_period,
    terms_latest,
)
from checkout.services import cart_checkout_start
from checkout.tests.factories import (
    CartFactory,
    TermsVersionFactory,
    business_standard_with_archiving,
    plan_on_sale,
    sku_create,
)

NOV_29 = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("price", "term", "billing", "quantity", "expected"),
    [
        ("140.40", "P1Y", "monthly", 5, "58.50"),  # 140,40 / 12 × 5, billed every month
        ("140.40", "P1Y", "annual", 5, "702.00"),  # the whole year, once a year
        ("421.20", "P3Y", "annual", 5, "702.00"),  # a third of the term each year
        ("100.00", "P3Y", "monthly", 300, "833.33"),  # 2,7777… × 300, rounded once
        ("12.30", "P1M", "monthly", 3, "36.90"),
    ],
)
def test_line_amount_per_billing_period(price, term, billing, quantity, expected):
    amount = line_amount_per_billing_period(
        unit_price_for_term=Decimal(price),
        months_in_term={"P1M": 1, "P1Y": 12, "P3Y": 36}[term],
        billing=billing,
        quantity=quantity,
    )
    assert amount == Decimal(expected)


@pytest.mark.django_db
def test_summary_lines_totals_and_vat_apart():
    # Given Business Standard ×5 monthly with its add-on ×5, and an annual plan ×2
    base_plan, addon_plan = business_standard_with_archiving()
    exchange = plan_on_sale(
        sku_create(title="Exchange Online (Plan 1)"), price="48.00", billing=Plan.Billing.ANNUAL
    )
    cart = CartFactory()
    base = CartLine.objects.create(cart=cart, plan=base_plan, quantity=5, unit_price_seen="140.40")
    CartLine.objects.create(
        cart=cart, plan=addon_plan, base_line=base, quantity=5, unit_price_seen="36.00"
    )
    CartLine.objects.create(cart=cart, plan=exchange, quantity=2, unit_price_seen="48.00")

    # When the summary is read on 29 November
    summary = cart_summary(cart=cart, reseller=cart.reseller, today=NOV_29)

    # Then base lines carry their add-ons, with prices, totals and estimates
    standard, exchange_line = summary.lines
    archiving = standard.addons[0]
    assert [line.sku_title for line in summary.all_lines] == [
        "Microsoft 365 Business Standard",
        "Exchange Online Archiving",
        "Exchange Online (Plan 1)",
    ]
    assert (standard.unit_price, standard.monthly_fee, standard.line_total) == (
        Decimal("140.40"),
        Decimal("11.70"),
        Decimal("58.50"),
    )
    assert (standard.term, standard.billing, standard.months_in_term) == ("P1Y", "monthly", 12)
    assert standard.product_id == base_plan.sku.product.product_id and standard.sku_id == "0001"
    assert (archiving.is_addon, archiving.base_line_id, archiving.line_total) == (
        True,
        standard.line_id,
        Decimal("15.00"),
    )
    assert exchange_line.line_total == Decimal("96.00")
    assert exchange_line.estimated_usage == Decimal("0.53")  # 4,00 × 2 × 2 / 30 = 0,5333…
    monthly, annual = summary.totals
    assert (monthly.billing, monthly.net, monthly.vat, monthly.gross) == (
        "monthly",
        Decimal("73.50"),
        Decimal("16.17"),
        Decimal("89.67"),
    )
    assert (annual.billing, annual.net, annual.vat, annual.gross) == (
        "annual",
        Decimal("96.00"),
        Decimal("21.12"),
        Decimal("117.12"),
    )
    assert summary.estimated_usage_total == Decimal("5.43")  # 3,90 + 1,00 + 0,53
    assert summary.vat_percent == Decimal("22")
    assert summary.line_count == 3
    assert not summary.has_price_changes and not summary.has_unavailable_lines


@pytest.mark.django_db
def test_changed_price_is_shown_with_the_price_seen():
    base_plan, _addon = business_standard_with_archiving()
    cart = CartFactory()
    CartLine.objects.create(cart=cart, plan=base_plan, quantity=5, unit_price_seen="130.00")
    line = cart_summary(cart=cart, reseller=cart.reseller, today=NOV_29).lines[0]
    assert line.is_price_changed
    assert (line.unit_price, line.unit_price_seen) == (Decimal("140.40"), Decimal("130.00"))


@pytest.mark.django_db
def test_new_price_in_force_is_used_from_its_first_day():
    base_plan, _addon = business_standard_with_archiving()
    Price.objects.create(
        plan=base_plan, cost_price="150.00", erp_price="180.00", effective_start=date(2026, 12, 1)
    )
    cart = CartFactory()
    CartLine.objects.create(cart=cart, plan=base_plan, quantity=1, unit_price_seen="140.40")
    before = cart_summary(cart=cart, reseller=cart.reseller, today=date(2026, 11, 30))
    after = cart_summary(cart=cart, reseller=cart.reseller, today=date(2026, 12, 1))
    assert before.lines[0].unit_price == Decimal("140.40") and not before.has_price_changes
    assert after.lines[0].unit_price == Decimal("150.00") and after.has_price_changes


@pytest.mark.django_db
def test_plan_no_longer_sold_is_flagged_and_left_out_of_the_totals():
    base_plan, _addon = business_standard_with_archiving()
    gone = plan_on_sale(sku_create(title="Office 365 E1"), price="120.00")
    Plan.objects.filter(pk=gone.pk).update(is_active=False)
    cart = CartFactory()
    CartLine.objects.create(cart=cart, plan=base_plan, quantity=5, unit_price_seen="140.40")
    CartLine.objects.create(cart=cart, plan=gone, quantity=5, unit_price_seen="120.00")

    summary = cart_summary(cart=cart, reseller=cart.reseller, today=NOV_29)

    unavailable = summary.lines[1]
    assert not unavailable.is_available and summary.has_unavailable_lines
    assert (unavailable.unit_price, unavailable.line_total, unavailable.estimated_usage) == (
        None,
        None,
        None,
    )
    assert summary.totals[0].net == Decimal("58.50")
    assert summary.estimated_usage_total == Decimal("3.90")


@pytest.mark.django_db
def test_empty_summary_without_a_cart():
    summary = cart_summary(cart=None, reseller=None, today=NOV_29)
    assert summary.is_empty and summary.totals == () and summary.estimated_usage_total == 0


@pytest.mark.django_db
def test_addon_offers_leave_out_addons_already_chosen():
    base_plan, addon_plan = business_standard_with_archiving()
    defender = plan_on_sale(
        sku_create(
            title="Microsoft Defender for Office 365 (Plan 1)",
            is_addon=True,
            prerequisites=(base_plan.sku,),
        ),
        price="24.00",
    )
    cart = CartFactory()
    base = CartLine.objects.create(cart=cart, plan=base_plan, quantity=5, unit_price_seen="140.40")
    CartLine.objects.create(
        cart=cart, plan=addon_plan, base_line=base, quantity=5, unit_price_seen="36.00"
    )
    summary = cart_summary(cart=cart, reseller=cart.reseller, today=NOV_29)

    offers = cart_addon_offers(summary=summary, reseller=cart.reseller, today=NOV_29)

    assert [offer.plan for offer in offers[base.pk]] == [defender]


@pytest.mark.django_db
def test_latest_published_terms_are_in_force():
    TermsVersionFactory(version="old", published_at=timezone.now() - timedelta(days=3))
    current = TermsVersionFactory(version="new", published_at=timezone.now() - timedelta(days=1))
    TermsVersionFactory(version="future", published_at=timezone.now() + timedelta(days=1))
    assert terms_latest() == current


@pytest.mark.django_db
def test_wizard_gets_the_cart_only_after_checkout():
    cart = CartFactory()
    with pytest.raises(CartError) as refused:
        cart_get_for_checkout(user=cart.user)
    assert refused.value.code == "checkout_not_started"
    Cart.objects.filter(pk=cart.pk).update(status=Cart.Status.ORDERED)
    with pytest.raises(CartError):
        cart_get_for_checkout(user=cart.user)


@pytest.mark.django_db
def test_wizard_gets_the_cart_checked_out():
    base_plan, _addon = business_standard_with_archiving()
    cart = CartFactory()
    CartLine.objects.create(cart=cart, plan=base_plan, quantity=5, unit_price_seen="140.40")
    terms = TermsVersionFactory()
    cart_checkout_start(
        user=cart.user,
        terms_accepted=True,
        terms_version_id=terms.pk,
        purchase_type=Cart.PurchaseType.RESALE,
        ip_address="127.0.0.1",
    )
    assert cart_get_for_checkout(user=cart.user) == cart
