"""Import of Microsoft's NCE licence-based price list: one streaming pass, bulk upserts, atomic.

The file is read row by row with the csv module and never held whole. Existing catalog rows are
loaded once, with only the columns compared, into dictionaries keyed by natural key
(``productId``, ``productId:skuId``, plan = SKU × term × billing, price = plan × start date). Each
kept row is compared with them, and only new or changed rows are written, in chunks, by
``upsert_rows`` (INSERT … ON CONFLICT DO UPDATE). Re-importing the same file writes nothing.

Rows that disappear from the file are retired, never deleted from history:

- a plan absent from the file is deactivated (``is_active=False``): it is no longer sold, its
  prices stay for the record, and it comes back to life if a later file lists it again;
- for a plan still in the file, let S be its earliest start date in the file: an absent price that
  started before S and ran past it is end-dated to the day before S (superseded); an absent price
  starting on or after S is deleted (a price change Microsoft withdrew). Orders are not affected:
  they snapshot their prices.

Products and SKUs are never retired: without a plan on sale they simply leave the catalog. SKU
details that come from Partner Center (quantities, add-ons, prerequisites) and the families and
descriptions set by staff are never touched by the import.

Everything happens in one transaction: a malformed row raises ``PricelistError`` with its line
number and nothing is changed. ``dry_run`` does the same work and rolls it back.
"""

import csv
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import DEFAULT_MAX_QUANTITY, DEFAULT_MIN_QUANTITY, Plan, Price, Product, Sku
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
from catalog.pricelist.upsert import CHUNK_SIZE, upsert_rows

MAX_LENGTHS = {"ProductId": 32, "SkuId": 16, "ProductTitle": 255, "SkuTitle": 255}
# Prices are compared as integers of 1/10 000 of a euro: exact (four decimals at most) and small.
AMOUNT_SCALE = 4


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


def pricelist_import(
    *, path: str | Path, market: str = "IT", currency: str = "EUR", dry_run: bool = False
) -> ImportReport:
    """Import the price list at ``path`` (UTF-8, with or without BOM) for one market/currency."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return pricelist_import_stream(
            stream=stream, market=market, currency=currency, dry_run=dry_run
        )


def pricelist_import_stream(
    *, stream: TextIO, market: str = "IT", currency: str = "EUR", dry_run: bool = False
) -> ImportReport:
    importer = _Importer(market=market, currency=currency)
    with transaction.atomic():
        importer.load_existing()
        importer.read(stream)
        importer.refuse_if_no_row_of_the_market()
        importer.retire_absent()
        if dry_run:
            transaction.set_rollback(True)
    importer.report.dry_run = dry_run
    return importer.report


def _scaled(amount: Decimal) -> int:
    return int(amount.scaleb(AMOUNT_SCALE))


class _ProductState:
    __slots__ = ("pk", "product_id", "title", "touched")

    def __init__(self, *, pk: int | None, product_id: str, title: str):
        self.pk = pk
        self.product_id = product_id
        self.title = title
        self.touched = False  # met in this file: later rows do not change it again


class _SkuState:
    __slots__ = ("description", "key", "pk", "product", "title", "touched")

    def __init__(self, *, pk, product: _ProductState, key: tuple[str, str], title, description):
        self.pk = pk
        self.product = product
        self.key = key  # (productId, skuId), shared by the plans' keys
        self.title = title
        self.description = description
        self.touched = False


class _PlanState:
    __slots__ = ("billing", "earliest_start", "is_active", "key", "pk", "seen", "sku", "term")

    def __init__(self, *, key: int, pk: int | None, sku: _SkuState, term, billing, is_active):
        self.key = key  # the pk, or a negative number until a new plan is written
        self.pk = pk
        self.sku = sku
        self.term = term
        self.billing = billing
        self.is_active = is_active
        self.seen = False
        self.earliest_start: date | None = None


class _Importer:
    def __init__(self, *, market: str, currency: str):
        self.market = market.strip().upper()
        self.currency = currency.strip().upper()
        self.report = ImportReport()
        self.dates = DateParser()
        self.products: dict[str, _ProductState] = {}
        self.skus: dict[tuple[str, str], _SkuState] = {}
        self.plans: dict[tuple[tuple[str, str], str, str], _PlanState] = {}
        # (plan key, start) -> (cost, erp, end) of stored prices not met in the file (yet)
        self.unseen_prices: dict[tuple[int, date], tuple[int, int, date | None]] = {}
        self.seen_prices: set[tuple[int, date]] = set()
        self.pending_products: list[_ProductState] = []
        self.pending_skus: list[_SkuState] = []
        self.pending_plans: list[_PlanState] = []
        self.pending_prices: list[tuple[_PlanState, date, Decimal, Decimal, date | None]] = []

    def load_existing(self) -> None:
        products_by_pk = {}
        # .order_by(): the models' default orderings would make the database sort for nothing
        products = Product.objects.order_by().values_list("pk", "product_id", "title")
        for pk, product_id, title in products.iterator(chunk_size=CHUNK_SIZE):
            product = _ProductState(pk=pk, product_id=product_id, title=title)
            self.products[product_id] = products_by_pk[pk] = product
        skus_by_pk = {}
        skus = Sku.objects.order_by().values_list(
            "pk", "product_id", "sku_id", "title", "description"
        )
        for pk, product_pk, sku_id, title, description in skus.iterator(chunk_size=CHUNK_SIZE):
            product = products_by_pk[product_pk]
            key = (product.product_id, sku_id)
            sku = _SkuState(pk=pk, product=product, key=key, title=title, description=description)
            self.skus[key] = skus_by_pk[pk] = sku
        plans = Plan.objects.order_by().values_list("pk", "sku_id", "term", "billing", "is_active")
        for pk, sku_pk, term, billing, is_active in plans.iterator(chunk_size=CHUNK_SIZE):
            sku = skus_by_pk[sku_pk]
            term, billing = TERMS[term], BILLING_PLANS[billing]  # one string object each
            self.plans[(sku.key, term, billing)] = _PlanState(
                key=pk, pk=pk, sku=sku, term=term, billing=billing, is_active=is_active
            )
        days: dict[date, date] = {}  # a few distinct dates: share one object per day
        prices = (
            Price.objects.order_by()
            .values_list("plan_id", "effective_start", "cost_price", "erp_price", "effective_end")
            .iterator(chunk_size=CHUNK_SIZE)
        )
        for plan_id, start, cost_price, erp_price, end in prices:
            start = days.setdefault(start, start)
            end = end if end is None else days.setdefault(end, end)
            self.unseen_prices[(plan_id, start)] = (_scaled(cost_price), _scaled(erp_price), end)

    def read(self, stream: TextIO) -> None:
        reader = csv.reader(stream)
        try:
            header = next(reader, None)
            if header is None:
                raise PricelistError(_("il file è vuoto."), line=1)
            columns = ColumnIndex.from_header(header)
            self._read_rows(reader, columns)
        except UnicodeDecodeError as error:
            raise PricelistError(
                _("il file non è in UTF-8 (%(error)s).") % {"error": error.reason},
                line=reader.line_num + 1,
            ) from error
        except csv.Error as error:
            raise PricelistError(
                _("CSV non valido: %(error)s.") % {"error": error}, line=reader.line_num
            ) from error
        self._flush()

    def _read_rows(self, reader, columns: ColumnIndex) -> None:
        """The hot loop: most rows of a European file are for other markets and leave early."""
        width = columns.width
        market_position = columns.positions["Market"]
        currency_position = columns.positions["Currency"]
        wanted = (self.market, self.currency)
        unwanted: set[tuple[str, str]] = set()  # (market, currency) as written, known not wanted
        rows_read = other_market = 0
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
            self._read_row(row, columns.positions, reader.line_num)
        self.report.rows_read += rows_read
        self.report.skipped[SkipReason.OTHER_MARKET] += other_market

    def _read_row(self, row: list[str], position: dict[str, int], line: int) -> None:
        report = self.report
        reason = self._skip_reason(row, position, line)
        if reason is not None:
            report.skipped[reason] += 1
            return
        term = TERMS[row[position["TermDuration"]].strip().upper()]
        billing = BILLING_PLANS[row[position["BillingPlan"]].strip().lower()]
        product_id, sku_id, product_title, sku_title = (
            _text(row, position, name, line) for name in MAX_LENGTHS
        )
        start = self.dates.start(row[position["EffectiveStartDate"]], line=line)
        end = self.dates.end(row[position["EffectiveEndDate"]], line=line)
        if end is not None and end < start:
            raise PricelistError(_("EffectiveEndDate precede EffectiveStartDate."), line=line)
        cost_price = parse_amount(row[position["UnitPrice"]], column="UnitPrice", line=line)
        erp_price = parse_amount(row[position["ERP Price"]], column="ERP Price", line=line)

        product = self._meet_product(product_id, product_title)
        sku = self._meet_sku(product, sku_id, sku_title, row[position["SkuDescription"]].strip())
        plan = self._meet_plan(sku, term, billing)

        price_key = (plan.key, start)
        if price_key in self.seen_prices:
            report.skipped[SkipReason.DUPLICATE] += 1
            return
        report.rows_kept += 1
        self.seen_prices.add(price_key)
        if plan.earliest_start is None or start < plan.earliest_start:
            plan.earliest_start = start
        stored = self.unseen_prices.pop(price_key, None)
        if stored is None:
            report.prices.added += 1
        elif stored != (_scaled(cost_price), _scaled(erp_price), end):
            report.prices.changed += 1
        else:
            return
        self.pending_prices.append((plan, start, cost_price, erp_price, end))
        if len(self.pending_prices) >= CHUNK_SIZE:
            self._flush()

    def _skip_reason(self, row: list[str], position: dict[str, int], line: int) -> str | None:
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

    def _meet_product(self, product_id: str, title: str) -> _ProductState:
        product = self.products.get(product_id)
        if product is None:
            product = self.products[product_id] = _ProductState(
                pk=None, product_id=product_id, title=title
            )
            self.pending_products.append(product)
            self.report.products.added += 1
        elif not product.touched and product.title != title:
            product.title = title
            self.pending_products.append(product)
            self.report.products.changed += 1
        product.touched = True
        return product

    def _meet_sku(
        self, product: _ProductState, sku_id: str, title: str, description: str
    ) -> _SkuState:
        key = (product.product_id, sku_id)
        sku = self.skus.get(key)
        if sku is None:
            sku = self.skus[key] = _SkuState(
                pk=None, product=product, key=key, title=title, description=description
            )
            self.pending_skus.append(sku)
            self.report.skus.added += 1
        elif not sku.touched and (sku.title, sku.description) != (title, description):
            sku.title, sku.description = title, description
            self.pending_skus.append(sku)
            self.report.skus.changed += 1
        sku.touched = True
        return sku

    def _meet_plan(self, sku: _SkuState, term: str, billing: str) -> _PlanState:
        key = (sku.key, term, billing)
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = _PlanState(
                key=-(len(self.plans) + 1),
                pk=None,
                sku=sku,
                term=term,
                billing=billing,
                is_active=True,
            )
            self.pending_plans.append(plan)
            self.report.plans.added += 1
        elif not plan.is_active and not plan.seen:
            plan.is_active = True
            self.pending_plans.append(plan)
            self.report.plans.changed += 1
        plan.seen = True
        return plan

    def _flush(self) -> None:
        """Write pending rows, parents first so that children know their foreign keys."""
        now = timezone.now()
        if self.pending_products:
            by_product_id = {product.product_id: product for product in self.pending_products}
            written = upsert_rows(
                Product,
                fields=("product_id", "title", "family", "description", "created_at", "updated_at"),
                rows=[(p.product_id, p.title, "", "", now, now) for p in by_product_id.values()],
                unique_fields=("product_id",),
                update_fields=("title", "updated_at"),
                returning=("id", "product_id"),
            )
            for pk, product_id in written:
                by_product_id[product_id].pk = pk
            self.pending_products = []
        if self.pending_skus:
            by_key = {(sku.product.pk, sku.key[1]): sku for sku in self.pending_skus}
            # quantities, add-on flag and provisioning id come later, from Partner Center
            new_sku_defaults = (DEFAULT_MIN_QUANTITY, DEFAULT_MAX_QUANTITY, False, False, "")
            written = upsert_rows(
                Sku,
                fields=(
                    "product_id",
                    "sku_id",
                    "title",
                    "description",
                    "min_quantity",
                    "max_quantity",
                    "is_addon",
                    "allows_quantity_above_base",
                    "provisioning_id",
                ),
                rows=[
                    (*key, sku.title, sku.description, *new_sku_defaults)
                    for key, sku in by_key.items()
                ],
                unique_fields=("product_id", "sku_id"),
                update_fields=("title", "description"),
                returning=("id", "product_id", "sku_id"),
            )
            for pk, product_pk, sku_id in written:
                by_key[(product_pk, sku_id)].pk = pk
            self.pending_skus = []
        if self.pending_plans:
            by_key = {(plan.sku.pk, plan.term, plan.billing): plan for plan in self.pending_plans}
            written = upsert_rows(
                Plan,
                fields=("sku_id", "term", "billing", "is_active"),
                rows=[(*key, True) for key in by_key],
                unique_fields=("sku_id", "term", "billing"),
                update_fields=("is_active",),
                returning=("id", "sku_id", "term", "billing"),
            )
            for pk, sku_pk, term, billing in written:
                by_key[(sku_pk, term, billing)].pk = pk
            self.pending_plans = []
        if self.pending_prices:
            upsert_rows(
                Price,
                fields=("plan_id", "effective_start", "cost_price", "erp_price", "effective_end"),
                rows=[
                    (plan.pk, start, cost_price, erp_price, end)
                    for plan, start, cost_price, erp_price, end in self.pending_prices
                ],
                unique_fields=("plan_id", "effective_start"),
                update_fields=("cost_price", "erp_price", "effective_end"),
            )
            self.pending_prices = []

    def refuse_if_no_row_of_the_market(self) -> None:
        """A file without a single row of the chosen market and currency is the wrong file or
        the wrong choice: importing it would retire the whole catalog."""
        report = self.report
        if report.rows_read and report.rows_read == report.skipped[SkipReason.OTHER_MARKET]:
            raise PricelistError(
                _("il listino non ha nessuna riga per il mercato %(market)s in %(currency)s.")
                % {"market": self.market, "currency": self.currency}
            )

    def retire_absent(self) -> None:
        absent_plans = [
            plan.pk for plan in self.plans.values() if plan.pk and plan.is_active and not plan.seen
        ]
        for chunk in _chunks(absent_plans):
            Plan.objects.filter(pk__in=chunk).update(is_active=False)
        self.report.plans.retired = len(absent_plans)

        if not self.unseen_prices:
            return
        earliest_by_plan = {
            plan.pk: plan.earliest_start for plan in self.plans.values() if plan.pk and plan.seen
        }
        withdrawn: list[tuple[int, date]] = []
        superseded: dict[date, list[tuple[int, date]]] = {}
        for (plan_pk, start), (_cost, _erp, end) in self.unseen_prices.items():
            earliest = earliest_by_plan.get(plan_pk)
            if earliest is None:
                continue  # the plan left the file: deactivated above, its prices kept as they are
            if start >= earliest:
                withdrawn.append((plan_pk, start))
            elif end is None or end >= earliest:
                superseded.setdefault(earliest - timedelta(days=1), []).append((plan_pk, start))
        for chunk in _chunks(withdrawn):
            Price.objects.filter(_price_keys(chunk)).delete()
        for last_day, keys in superseded.items():
            for chunk in _chunks(keys):
                Price.objects.filter(_price_keys(chunk)).update(effective_end=last_day)
        self.report.prices.retired = len(withdrawn) + sum(len(keys) for keys in superseded.values())


def _text(row: list[str], position: dict[str, int], name: str, line: int) -> str:
    text = row[position[name]].strip()
    if not text or len(text) > MAX_LENGTHS[name]:
        raise PricelistError(
            _("%(column)s deve avere da 1 a %(max)d caratteri.")
            % {"column": name, "max": MAX_LENGTHS[name]},
            line=line,
        )
    return text


def _price_keys(keys: list[tuple[int, date]]) -> Q:
    condition = Q()
    for plan_pk, start in keys:
        condition |= Q(plan_id=plan_pk, effective_start=start)
    return condition


def _chunks(items: list, size: int = 1000):
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]
