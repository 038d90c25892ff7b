"""One streaming pass over a price list: the rows kept for the market, validated and normalised.

Both ways of writing the catalog (importer.py) read the file through ``kept_rows``, so they accept
and refuse exactly the same files, with the same line-numbered errors. Repeated rows (the same
plan and start date) are still yielded: each writer drops them and counts them as duplicates.
"""

import csv
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple, TextIO

from django.utils.translation import gettext as _

from catalog.pricelist.parsing import (
    BILLING_PLANS,
    FIRST_TIER_MINIMUMS,
    TERMS,
    ColumnIndex,
    DateParser,
    PricelistError,
    SkipReason,
    parse_amount,
)

MAX_LENGTHS = {"ProductId": 32, "SkuId": 16, "ProductTitle": 255, "SkuTitle": 255}


@dataclass
class EntityCounts:
    added: int = 0
    changed: int = 0
    retired: int = 0


@dataclass
class ImportReport:
    rows_read: int = 0
    rows_kept: int = 0
    products: EntityCounts = field(default_factory=EntityCounts)
    skus: EntityCounts = field(default_factory=EntityCounts)
    plans: EntityCounts = field(default_factory=EntityCounts)
    prices: EntityCounts = field(default_factory=EntityCounts)
    skipped: Counter = field(default_factory=Counter)
    dry_run: bool = False

    def _entities(self) -> tuple[EntityCounts, ...]:
        return (self.products, self.skus, self.plans, self.prices)

    @property
    def added(self) -> int:
        return sum(entity.added for entity in self._entities())

    @property
    def changed(self) -> int:
        return sum(entity.changed for entity in self._entities())

    @property
    def retired(self) -> int:
        return sum(entity.retired for entity in self._entities())

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


class KeptRow(NamedTuple):
    line: int
    product_id: str
    product_title: str
    sku_id: str
    sku_title: str
    sku_description: str
    term: str
    billing: str
    effective_start: date
    effective_end: date | None
    cost_price: Decimal
    erp_price: Decimal


def kept_rows(
    stream: TextIO, *, market: str, currency: str, report: ImportReport
) -> Iterator[KeptRow]:
    """Every row of ``market``/``currency`` that is a licence price on sale, in file order.

    Counts the rows read and the rows skipped (except duplicates) in ``report``; raises
    ``PricelistError`` with the physical line of the first malformed row.
    """
    reader = csv.reader(stream)
    try:
        header = next(reader, None)
        if header is None:
            raise PricelistError(_("il file è vuoto."), line=1)
        columns = ColumnIndex.from_header(header)
        wanted = (market.strip().upper(), currency.strip().upper())
        yield from _rows(reader, columns, wanted, report)
    except UnicodeDecodeError as error:
        raise PricelistError(
            _("il file non è in UTF-8 (%(error)s).") % {"error": error.reason},
            line=reader.line_num + 1,
        ) from error
    except csv.Error as error:
        raise PricelistError(
            _("CSV non valido: %(error)s.") % {"error": error}, line=reader.line_num
        ) from error


def _rows(reader, columns: ColumnIndex, wanted: tuple[str, str], report: ImportReport):
    """The hot loop: most rows of a European file are for other markets and leave early."""
    width = columns.width
    position = columns.positions
    market_position = position["Market"]
    currency_position = position["Currency"]
    dates = DateParser()
    unwanted: set[tuple[str, str]] = set()  # (market, currency) as written, known not wanted
    rows_read = other_market = 0
    try:
        for row in reader:
            if not row:
                continue  # a blank line
            rows_read += 1
            if len(row) != width:
                raise PricelistError(
                    _("ha %(found)d campi invece di %(expected)d: virgole non tra virgolette?")
                    % {"found": len(row), "expected": width},
                    line=reader.line_num,
                )
            market_currency = (row[market_position], row[currency_position])
            if market_currency != wanted:
                if market_currency in unwanted:
                    other_market += 1
                    continue
                normalized = (
                    market_currency[0].strip().upper(),
                    market_currency[1].strip().upper(),
                )
                if normalized != wanted:
                    unwanted.add(market_currency)
                    other_market += 1
                    continue
            line = reader.line_num
            reason = skip_reason(row, position, line)
            if reason is not None:
                report.skipped[reason] += 1
                continue
            yield _kept_row(row, position, line, dates)
    finally:
        report.rows_read += rows_read
        report.skipped[SkipReason.OTHER_MARKET] += other_market


def _kept_row(row: list[str], position: dict[str, int], line: int, dates: DateParser) -> KeptRow:
    product_id, sku_id, product_title, sku_title = (
        _text(row, position, name, line) for name in MAX_LENGTHS
    )
    start = dates.start(row[position["EffectiveStartDate"]], line=line)
    end = dates.end(row[position["EffectiveEndDate"]], line=line)
    if end is not None and end < start:
        raise PricelistError(_("EffectiveEndDate precede EffectiveStartDate."), line=line)
    return KeptRow(
        line=line,
        product_id=product_id,
        product_title=product_title,
        sku_id=sku_id,
        sku_title=sku_title,
        sku_description=row[position["SkuDescription"]].strip(),
        term=TERMS[row[position["TermDuration"]].strip().upper()],
        billing=BILLING_PLANS[row[position["BillingPlan"]].strip().lower()],
        effective_start=start,
        effective_end=end,
        cost_price=parse_amount(row[position["UnitPrice"]], column="UnitPrice", line=line),
        erp_price=parse_amount(row[position["ERP Price"]], column="ERP Price", line=line),
    )


def skip_reason(row: list[str], position: dict[str, int], line: int) -> str | None:
    if "Segment" in position and row[position["Segment"]].strip().lower() not in {
        "",
        "commercial",
    }:
        return SkipReason.OTHER_SEGMENT
    if "trial" in row[position["Tags"]].lower():
        return SkipReason.TRIAL
    if "licen" not in row[position["UnitOfMeasure"]].lower():
        return SkipReason.NOT_LICENCE
    if (
        row[position["TermDuration"]].strip().upper() not in TERMS
        or row[position["BillingPlan"]].strip().lower() not in BILLING_PLANS
    ):
        return SkipReason.UNSOLD_TERM_OR_BILLING
    tier_minimum = row[position["PricingTierRangeMin"]].strip()
    if tier_minimum not in FIRST_TIER_MINIMUMS and parse_amount(
        tier_minimum, column="PricingTierRangeMin", line=line
    ) > Decimal(1):
        return SkipReason.HIGHER_TIER
    return None


def _text(row: list[str], position: dict[str, int], name: str, line: int) -> str:
    text = row[position[name]].strip()
    if not text or len(text) > MAX_LENGTHS[name]:
        raise PricelistError(
            _("%(column)s deve avere da 1 a %(max)d caratteri.")
            % {"column": name, "max": MAX_LENGTHS[name]},
            line=line,
        )
    return text
