from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from catalog.models import Plan, PriceRule, Sku
from catalog.selectors import (
    addon_plan_prices,
    catalog_families,
    markup_percent_for,
    months_in_term,
    plan_offer,
    plan_reseller_price,
    plans_with_prices,
)
from catalog.tests.factories import (
    AddonSkuFactory,
    PlanFactory,
    PriceFactory,
    SkuFactory,
    priced_plan,
)
from storefront.dates import rome_today
from storefront.tests.factories import ResellerFactory

pytestmark = pytest.mark.django_db

NOVEMBER_24 = date(2026, 11, 24)


def test_the_default_markup_comes_from_settings_through_the_price_rule(settings):
    assert PriceRule.objects.get().default_markup_percent == settings.DEFAULT_MARKUP_PERCENT
    assert markup_percent_for(reseller=None) == Decimal("10.00")


def test_reseller_price_follows_the_default_markup():
    plan = priced_plan(sku=SkuFactory(), cost="127.64")
    reseller = ResellerFactory()

    price = plan_reseller_price(plan=plan, reseller=reseller, on_date=NOVEMBER_24)

    assert price.markup_percent == Decimal("10.00")
    assert price.cost_price == Decimal("127.64")
    assert price.reseller_price == Decimal("140.40")  # round_money(140.404)
    assert price.months_in_term == 12
    assert price.monthly_fee == Decimal("11.70")
    assert price.monthly_price == Decimal("11.70")
    assert price.erp_price == Decimal("153.17")


def test_the_distributor_can_change_the_default_markup():
    plan = priced_plan(sku=SkuFactory(), cost="127.64")
    PriceRule.objects.update(default_markup_percent=Decimal("12.50"))

    price = plan_reseller_price(plan=plan, reseller=ResellerFactory(), on_date=NOVEMBER_24)

    assert price.reseller_price == Decimal("143.60")  # 127.64 × 1.125 = 143.5950


def test_a_reseller_override_wins_over_the_default_markup():
    plan = priced_plan(sku=SkuFactory(), cost="127.64")
    reseller = ResellerFactory(markup_percent_override=Decimal("15.00"))
    without_markup = ResellerFactory(markup_percent_override=Decimal("0.00"))

    assert plan_reseller_price(
        plan=plan, reseller=reseller, on_date=NOVEMBER_24
    ).reseller_price == Decimal("146.79")  # 146.786
    assert plan_reseller_price(
        plan=plan, reseller=without_markup, on_date=NOVEMBER_24
    ).reseller_price == Decimal("127.64")


def test_the_reseller_price_is_rounded_half_up_once_per_term():
    reseller = ResellerFactory(markup_percent_override=Decimal("0.00"))
    plan = priced_plan(sku=SkuFactory(), cost="10.125")
    monthly_plan = priced_plan(
        sku=SkuFactory(), term=Plan.Term.P3Y, billing=Plan.Billing.ANNUAL, cost="100.00"
    )

    price = plan_reseller_price(plan=plan, reseller=reseller, on_date=NOVEMBER_24)
    three_years = plan_reseller_price(plan=monthly_plan, reseller=reseller, on_date=NOVEMBER_24)

    assert price.reseller_price == Decimal("10.13")  # half up, not to even
    assert three_years.monthly_fee == Decimal("100.00") / 36  # unrounded, for the pro-rata
    assert three_years.monthly_price == Decimal("2.78")


def test_a_future_price_is_not_used_before_its_start_date():
    plan = PlanFactory()
    PriceFactory(plan=plan, cost_price=Decimal("100.00"), effective_start=date(2026, 11, 1))
    PriceFactory(plan=plan, cost_price=Decimal("110.00"), effective_start=date(2026, 12, 1))
    reseller = ResellerFactory()

    def cost_on(day):
        return plan_reseller_price(plan=plan, reseller=reseller, on_date=day).cost_price

    assert plan_reseller_price(plan=plan, reseller=reseller, on_date=date(2026, 10, 31)) is None
    assert cost_on(date(2026, 11, 30)) == Decimal("100.00")
    assert cost_on(date(2026, 12, 1)) == Decimal("110.00")


def test_an_ended_price_or_an_inactive_plan_is_not_on_sale():
    ended = PlanFactory()
    PriceFactory(plan=ended, effective_end=date(2026, 11, 23))
    inactive = PlanFactory(is_active=False)
    PriceFactory(plan=inactive)
    reseller = ResellerFactory()

    assert plan_reseller_price(plan=ended, reseller=reseller, on_date=date(2026, 11, 23))
    assert plan_reseller_price(plan=ended, reseller=reseller, on_date=NOVEMBER_24) is None
    assert plan_reseller_price(plan=inactive, reseller=reseller, on_date=NOVEMBER_24) is None


def test_today_is_the_date_in_rome():
    assert rome_today(now=datetime(2026, 10, 31, 23, 30, tzinfo=UTC)) == date(2026, 11, 1)
    assert rome_today(now=datetime(2026, 7, 31, 21, 59, tzinfo=UTC)) == date(2026, 7, 31)
    assert rome_today(now=datetime(2026, 7, 31, 22, 0, tzinfo=UTC)) == date(2026, 8, 1)


def test_a_price_starting_on_1_november_applies_at_23_30_utc_on_31_october():
    plan = priced_plan(sku=SkuFactory())  # from 1 November 2026
    on_date = rome_today(now=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    assert plan_reseller_price(plan=plan, reseller=None, on_date=on_date) is not None


def test_months_in_term():
    assert [months_in_term(term) for term in ("P1M", "P1Y", "P3Y")] == [1, 12, 36]


def test_plans_with_prices_prices_many_plans_in_two_queries(django_assert_num_queries):
    plans = [priced_plan(sku=SkuFactory(), cost=f"{10 + n}.00") for n in range(30)]
    reseller = ResellerFactory()

    with django_assert_num_queries(2):
        prices = plans_with_prices(reseller=reseller, on_date=NOVEMBER_24)
        titles = [price.plan.sku.product.title for price in prices.values()]

    assert len(prices) == 30 and len(titles) == 30
    assert prices[plans[3].pk].reseller_price == Decimal("14.30")
    subset = plans_with_prices(
        reseller=reseller, on_date=NOVEMBER_24, plan_ids=[plans[0].pk, plans[1].pk]
    )
    assert set(subset) == {plans[0].pk, plans[1].pk}


def test_add_ons_valid_for_a_sku_come_from_their_prerequisites():
    base = SkuFactory()
    other_base = SkuFactory()
    archiving = AddonSkuFactory(prerequisites=[base, other_base])
    defender = AddonSkuFactory(prerequisites=[base])
    AddonSkuFactory(prerequisites=[other_base])

    assert set(Sku.objects.filter(prerequisites=base, is_addon=True)) == {archiving, defender}

    base_plan = priced_plan(sku=base)
    same_term = priced_plan(sku=archiving, cost="30.55")
    priced_plan(sku=archiving, term=Plan.Term.P1M, billing=Plan.Billing.MONTHLY, cost="3.05")
    PlanFactory(sku=defender)  # no price: not on sale

    addons = addon_plan_prices(base_plan=base_plan, reseller=None, on_date=NOVEMBER_24)
    assert [addon.plan for addon in addons] == [same_term]
    assert addons[0].reseller_price == Decimal("33.61")  # 33.605

    offer = plan_offer(plan_id=base_plan.pk, reseller=None, on_date=NOVEMBER_24)
    assert offer.plan == base_plan and offer.addon_plan_prices == addons


def test_the_catalog_from_price_is_the_lowest_monthly_fee():
    sku = SkuFactory(product__title="Microsoft 365 Business Standard")
    priced_plan(sku=sku, term=Plan.Term.P1M, billing=Plan.Billing.MONTHLY, cost="12.76")
    priced_plan(sku=sku, term=Plan.Term.P1Y, billing=Plan.Billing.MONTHLY, cost="127.64")
    priced_plan(sku=sku, term=Plan.Term.P3Y, billing=Plan.Billing.ANNUAL, cost="390.00")

    [family] = catalog_families(reseller=None, on_date=NOVEMBER_24)

    [card] = family.cards
    assert card.from_monthly_price == Decimal("11.70")  # not P1M's 14.04, nor P3Y's 11.92
