"""Writing price lists in Microsoft's NCE licence-based CSV format (no Django needed)."""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TextIO

HEADER = (
    "ProductTitle",
    "ProductId",
    "SkuId",
    "SkuTitle",
    "Publisher",
    "SkuDescription",
    "UnitOfMeasure",
    "TermDuration",
    "BillingPlan",
    "Market",
    "Currency",
    "UnitPrice",
    "PricingTierRangeMin",
    "PricingTierRangeMax",
    "EffectiveStartDate",
    "EffectiveEndDate",
    "Tags",
    "ERP Price",
)
# How Microsoft's downloads write an open-ended price.
OPEN_END = "12/31/9999 11:59:59 PM"


@dataclass(frozen=True)
class PricelistRow:
    product_title: str
    product_id: str
    sku_id: str
    sku_title: str
    sku_description: str
    term: str  # P1M, P1Y, P3Y
    billing_plan: str  # Monthly, Annual, Triennial
    market: str
    currency: str
    unit_price: Decimal
    erp_price: Decimal
    effective_start: date
    unit_of_measure: str = "1 License"
    tags: str = ""
    publisher: str = "Microsoft Corporation"

    def as_csv(self) -> tuple[str, ...]:
        return (
            self.product_title,
            self.product_id,
            self.sku_id,
            self.sku_title,
            self.publisher,
            self.sku_description,
            self.unit_of_measure,
            self.term,
            self.billing_plan,
            self.market,
            self.currency,
            f"{self.unit_price:f}",
            "0",
            "",
            us_datetime(self.effective_start),
            OPEN_END,
            self.tags,
            f"{self.erp_price:f}",
        )


def us_datetime(day: date) -> str:
    """``11/1/2026 12:00:00 AM``: the US format of Microsoft's downloads, at midnight."""
    return f"{day.month}/{day.day}/{day.year} 12:00:00 AM"


def pricelist_write(*, stream: TextIO, rows: Iterable[PricelistRow]) -> int:
    """Write the header and ``rows``; returns the number of rows written."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(HEADER)
    count = 0
    for row in rows:
        writer.writerow(row.as_csv())
        count += 1
    return count
