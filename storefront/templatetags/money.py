from decimal import Decimal

from django import template
from django.utils import formats

from storefront.money import round_money

register = template.Library()


@register.filter
def euro(amount: Decimal | None) -> str:
    """``€ 1.234,56`` in Italian, ``€ 1,234.56`` in English; empty for a missing amount."""
    if amount is None or amount == "":
        return ""
    # number_format truncates extra decimals; money is shown rounded, the one way we round it.
    number = formats.number_format(
        round_money(Decimal(amount)), decimal_pos=2, use_l10n=True, force_grouping=True
    )
    return f"€\u00a0{number}"
