"""«Utilizzo stimato»: the value of a line from its activation to the end of the month.

The rule and its example: docs/product.md#money.

The guide's rule is *recurring fee / days in the month × days left to the end of the month*:

- ``monthly_fee = reseller_unit_price_for_term / months_in_term`` (P1M → 1, P1Y → 12, P3Y → 36),
  whatever the billing frequency: the estimate is the value of the service used this month;
- ``days_left = days_in_month(today) − day(today) + 1``: the activation day counts;
- ``line_estimate = round_half_up(monthly_fee × quantity × days_left / days_in_month, 2)``,
  rounded once per line; an add-on is a line of its own; the total is the sum of the lines.

``today`` is the date in Europe/Rome (``storefront.dates.rome_today``), passed in by the caller so
that the clock can be set in tests and the same date is used for prices and estimate.
"""

import calendar
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from storefront.money import round_money


def days_in_month(today: date) -> int:
    return calendar.monthrange(today.year, today.month)[1]


def days_left_in_month(today: date) -> int:
    """Days from ``today`` to the end of its month, both included: 1 on the last day."""
    return days_in_month(today) - today.day + 1


def line_estimate(
    *, unit_price_for_term: Decimal, months_in_term: int, quantity: int, today: date
) -> Decimal:
    """The pro-rata of one line, in EUR excluding VAT, rounded half up to the cent once.

    The monthly fee is not rounded first; the expression is evaluated as one fraction, so the single
    rounding sees the exact value (a chain of Decimal divisions would round at each step).
    """
    if not isinstance(unit_price_for_term, Decimal):
        raise TypeError("the unit price must be a Decimal")
    numerator = unit_price_for_term * quantity * days_left_in_month(today)
    return round_money(numerator / (months_in_term * days_in_month(today)))


def total_estimate(line_estimates: Iterable[Decimal]) -> Decimal:
    """The sum of the already rounded line estimates: the total is never re-rounded."""
    return sum(line_estimates, Decimal("0.00"))
