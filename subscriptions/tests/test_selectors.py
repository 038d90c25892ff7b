"""What a change costs: pro-rata by days to the end of the term, rounded once, half up."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from checkout.prorata import line_estimate
from orders.tests.factories import placed_order
from storefront.money import round_money
from subscriptions.selectors import change_preview
from subscriptions.tests.factories import mirrored_subscription

pytestmark = pytest.mark.django_db

TERM = {
    "started_at": datetime(2026, 12, 2, 9, 0, tzinfo=UTC),
    "commitment_end": datetime(2027, 12, 1, 0, 0, tzinfo=UTC),
}


@pytest.mark.parametrize(
    ("today", "days_left"),
    [(date(2026, 12, 2), 365), (date(2027, 6, 1), 184), (date(2027, 12, 1), 1)],
)
def test_added_seats_cost_the_days_left_of_the_term_and_the_estimate_to_month_end(today, days_left):
    subscription = mirrored_subscription(order=placed_order(), **TERM)
    unit_price = subscription.order_line.unit_price  # today's price is the one the order paid

    preview = change_preview(subscription=subscription, seats=3, is_addition=True, today=today)

    assert (preview.days_in_term, preview.days_left_in_term) == (365, days_left)
    assert preview.unit_price_for_term == unit_price
    assert preview.term_amount == round_money(unit_price * 3 * days_left / 365)
    assert preview.month_estimate == line_estimate(
        unit_price_for_term=unit_price, months_in_term=12, quantity=3, today=today
    )


def test_the_credit_of_removed_seats_uses_the_price_they_were_sold_for():
    subscription = mirrored_subscription(order=placed_order(), **TERM)
    subscription.order_line.unit_price = Decimal("100.00")

    preview = change_preview(
        subscription=subscription, seats=2, is_addition=False, today=date(2027, 6, 1)
    )

    assert preview.term_amount == Decimal("100.82")  # 100 × 2 × 184 / 365 = 100.8219…
    assert preview.month_estimate is None
