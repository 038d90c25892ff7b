from decimal import Decimal

import pytest
from django.utils import translation

from storefront.money import round_money
from storefront.templatetags.money import euro


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("3.905", "3.91"), ("3.904", "3.90"), ("0.005", "0.01"), ("-1.005", "-1.01"), ("2", "2.00")],
)
def test_round_money_rounds_half_up_to_the_cent(amount, expected):
    assert round_money(Decimal(amount)) == Decimal(expected)


def test_round_money_refuses_floats():
    with pytest.raises(TypeError):
        round_money(3.905)


def test_euro_formats_the_italian_way_and_the_english_way():
    with translation.override("it"):
        assert euro(Decimal("1234.5")) == "€\u00a01.234,50"
        assert euro(Decimal("3.9")) == "€\u00a03,90"
        assert euro(Decimal("127.6450")) == "€\u00a0127,65"
    with translation.override("en"):
        assert euro(Decimal("1234.5")) == "€\u00a01,234.50"
    assert euro(None) == ""
