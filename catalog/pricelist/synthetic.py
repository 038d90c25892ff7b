"""A large, deterministic price list in Microsoft's format, for the import benchmark (no Django).

Shaped like a real European download: every SKU has five term/billing rows (Triennial included,
which the importer skips) in eleven markets and six currencies, so about one row in eleven is
IT/EUR; every fortieth product is a trial. ``markets=IT_ONLY`` makes every row an Italian one,
the worst case for the importer.
"""

from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal

from catalog.pricelist.writer import PricelistRow

EUROPEAN_MARKETS = (
    ("IT", "EUR"),
    ("DE", "EUR"),
    ("FR", "EUR"),
    ("ES", "EUR"),
    ("NL", "EUR"),
    ("AT", "EUR"),
    ("GB", "GBP"),
    ("CH", "CHF"),
    ("DK", "DKK"),
    ("NO", "NOK"),
    ("SE", "SEK"),
)
IT_ONLY = (("IT", "EUR"),)
# Rough euro exchange rates: plausible local prices, nothing more.
EURO_RATES = {
    "EUR": Decimal("1"),
    "GBP": Decimal("0.86"),
    "CHF": Decimal("0.94"),
    "DKK": Decimal("7.46"),
    "NOK": Decimal("11.70"),
    "SEK": Decimal("11.20"),
}
TERMS_AND_BILLING = (
    ("P1M", "Monthly"),
    ("P1Y", "Monthly"),
    ("P1Y", "Annual"),
    ("P3Y", "Annual"),
    ("P3Y", "Triennial"),
)
SKUS_PER_PRODUCT = 2
TRIAL_EVERY = 40
CENT = Decimal("0.01")


def synthetic_rows(
    count: int,
    *,
    markets: Sequence[tuple[str, str]] = EUROPEAN_MARKETS,
    effective_start: date = date(2026, 11, 1),
) -> Iterator[PricelistRow]:
    """Exactly ``count`` rows, the same ones on every run."""
    produced = 0
    product_number = 0
    while produced < count:
        product_id = f"SYN{product_number:09d}"
        is_trial = product_number % TRIAL_EVERY == TRIAL_EVERY - 1
        for sku_number in range(1, SKUS_PER_PRODUCT + 1):
            monthly_euros = Decimal(200 + (product_number * 37 + sku_number * 11) % 5000) / 100
            term_euros = {
                "P1M": (monthly_euros * Decimal("1.2")).quantize(CENT),
                "P1Y": monthly_euros * 12,
                "P3Y": monthly_euros * 36,
            }
            for term, billing_plan in TERMS_AND_BILLING:
                for market, currency in markets:
                    unit_price = (term_euros[term] * EURO_RATES[currency]).quantize(CENT)
                    yield PricelistRow(
                        product_title=f"Synthetic Product {product_number}",
                        product_id=product_id,
                        sku_id=f"{sku_number:04d}",
                        sku_title=f"Synthetic Product {product_number}, edition {sku_number}",
                        sku_description=(
                            f"Synthetic SKU {sku_number} of product {product_number}: "
                            "cloud services for business users, with e-mail, file storage, "
                            "online meetings and desktop apps."
                        ),
                        term=term,
                        billing_plan=billing_plan,
                        market=market,
                        currency=currency,
                        unit_price=Decimal(0) if is_trial else unit_price,
                        erp_price=Decimal(0)
                        if is_trial
                        else (unit_price * Decimal("1.2")).quantize(CENT),
                        effective_start=effective_start,
                        tags="Trial" if is_trial else "",
                    )
                    produced += 1
                    if produced == count:
                        return
        product_number += 1
