"""«Utilizzo stimato»: exact values, one rounding per line, the date in Rome.

The rule and its example: docs/product.md#money.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from catalog.models import Plan
from checkout.models import CartLine
from checkout.prorata import days_left_in_month, line_estimate, total_estimate
from checkout.selectors import cart_summary
from checkout.tests.factories import (
    CartFactory,
    business_standard_with_archiving,
    plan_on_sale,
    sku_create,
)
from storefront.dates import rome_today

BUSINESS_STANDARD_P1Y = Decimal("140.40")  # € 11,70 a month


def test_spec_example_five_licences_on_29_november():
    # Given Business Standard P1Y at € 140,40, five licences, 29 November (a 30-day month)
    # When the estimate is computed
    estimate = line_estimate(
        unit_price_for_term=BUSINESS_STANDARD_P1Y,
        months_in_term=12,
        quantity=5,
        today=date(2026, 11, 29),
    )
    # Then 11,70 × 5 × 2 / 30
    assert estimate == Decimal("3.90")


def test_first_day_of_a_31_day_month_counts_the_whole_month():
    estimate = line_estimate(
        unit_price_for_term=BUSINESS_STANDARD_P1Y,
        months_in_term=12,
        quantity=5,
        today=date(2027, 1, 1),
    )
    assert days_left_in_month(date(2027, 1, 1)) == 31
    assert estimate == Decimal("58.50")


def test_last_day_of_the_month_counts_one_day():
    estimate = line_estimate(
        unit_price_for_term=BUSINESS_STANDARD_P1Y,
        months_in_term=12,
        quantity=5,
        today=date(2027, 1, 31),
    )
    assert days_left_in_month(date(2027, 1, 31)) == 1
    assert estimate == Decimal("1.89")  # 58,50 / 31 = 1,8870…


def test_29_february_of_a_leap_year_is_the_last_of_29_days():
    today = date(2028, 2, 29)
    estimate = line_estimate(
        unit_price_for_term=BUSINESS_STANDARD_P1Y, months_in_term=12, quantity=5, today=today
    )
    assert days_left_in_month(today) == 1
    assert estimate == Decimal("2.02")  # 58,50 / 29 = 2,0172…
    assert line_estimate(
        unit_price_for_term=BUSINESS_STANDARD_P1Y,
        months_in_term=12,
        quantity=5,
        today=date(2028, 2, 28),
    ) == Decimal("4.03")  # 58,50 × 2 / 29 = 4,0344…


def test_monthly_term_plan_uses_its_price_as_the_monthly_fee():
    # P1M at € 12,30 a month, 3 licences on 16 November: 15 days of 30 left
    estimate = line_estimate(
        unit_price_for_term=Decimal("12.30"), months_in_term=1, quantity=3, today=date(2026, 11, 16)
    )
    assert estimate == Decimal("18.45")


def test_three_year_plan_divides_by_36_and_rounds_only_the_line():
    # € 100,00 for 36 months is 2,7777… a month: rounding it first would give 2,78 × 300 = 834,00
    estimate = line_estimate(
        unit_price_for_term=Decimal("100.00"),
        months_in_term=36,
        quantity=300,
        today=date(2026, 11, 1),
    )
    assert estimate == Decimal("833.33")


def test_rounding_is_half_up_to_the_cent():
    # € 1,50 a year is 0,125 a month: half up gives 0,13 (half even would give 0,12)
    estimate = line_estimate(
        unit_price_for_term=Decimal("1.50"), months_in_term=12, quantity=1, today=date(2026, 11, 1)
    )
    assert estimate == Decimal("0.13")


def test_amounts_must_be_decimal():
    with pytest.raises(TypeError):
        line_estimate(
            unit_price_for_term=140.40, months_in_term=12, quantity=5, today=date(2026, 11, 29)
        )


def test_total_is_the_sum_of_rounded_lines():
    assert total_estimate([Decimal("3.90"), Decimal("1.00"), Decimal("0.13")]) == Decimal("5.03")
    assert total_estimate([]) == Decimal("0.00")


def test_23_30_utc_on_the_last_day_is_already_the_first_in_rome():
    # Given 31 January 2027 at 23:30 UTC, which is 1 February 00:30 in Rome
    today = rome_today(now=datetime(2027, 1, 31, 23, 30, tzinfo=UTC))
    # Then the estimate covers the whole of February, not one day of January
    assert today == date(2027, 2, 1)
    estimate = line_estimate(
        unit_price_for_term=BUSINESS_STANDARD_P1Y, months_in_term=12, quantity=5, today=today
    )
    assert estimate == Decimal("58.50")


@pytest.mark.django_db
def test_add_on_is_a_line_of_its_own_in_the_summary_and_the_total_adds_the_lines():
    # Given Business Standard ×5 with Exchange Online Archiving (€ 36,00/year) ×5 and a P3Y plan
    base_plan, addon_plan = business_standard_with_archiving()
    three_years = plan_on_sale(
        sku_create(title="Microsoft 365 E3"), price="100.00", term=Plan.Term.P3Y
    )
    cart = CartFactory()
    base = CartLine.objects.create(cart=cart, plan=base_plan, quantity=5, unit_price_seen="140.40")
    CartLine.objects.create(
        cart=cart, plan=addon_plan, base_line=base, quantity=5, unit_price_seen="36.00"
    )
    CartLine.objects.create(cart=cart, plan=three_years, quantity=300, unit_price_seen="100.00")

    # When the summary is computed on 29 November
    summary = cart_summary(cart=cart, reseller=cart.reseller, today=date(2026, 11, 29))

    # Then each line has its own estimate, and the total is their sum
    standard, e3 = summary.lines
    assert standard.estimated_usage == Decimal("3.90")
    assert standard.addons[0].estimated_usage == Decimal("1.00")  # 3,00 × 5 × 2 / 30
    assert e3.estimated_usage == Decimal("55.56")  # 2,7777… × 300 × 2 / 30 = 55,555…
    assert summary.estimated_usage_total == Decimal("60.46")
