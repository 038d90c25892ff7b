"""The portable way to write a price list: compare in Python, write only what changed.

Used where the database is not PostgreSQL (SQLite for ``make run``); PostgreSQL imports set-based
(set_based.py). Existing catalog rows are loaded once, with only the columns compared, into
dictionaries keyed by natural key (``productId``, ``productId:skuId``, plan = SKU × term ×
billing, price = plan × start date). Each kept row is compared with them, and only new or changed
rows are written, in chunks, by ``upsert_rows`` (INSERT … ON CONFLICT DO UPDATE). Memory grows
with the stored catalog, which is small in development. Retirement follows importer.py.
"""

from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from catalog.models import DEFAULT_MAX_QUANTITY, DEFAULT_MIN_QUANTITY, Plan, Price, Product, Sku
from catalog.pricelist.parsing import BILLING_PLANS, TERMS, SkipReason
from catalog.pricelist.reading import ImportReport, KeptRow
from catalog.pricelist.upsert import CHUNK_SIZE, upsert_rows

# Prices are compared as integers of 1/10 000 of a euro: exact (four decimals at most) and small.
AMOUNT_SCALE = 4


def import_in_memory(rows: Iterable[KeptRow], *, report: ImportReport) -> None:
    """Write ``rows`` into the catalog and retire what they no longer list (in a transaction)."""
    importer = _Importer(report=report)
    importer.load_existing()
    for row in rows:
        importer.write(row)
    importer.flush()
    importer.retire_absent()


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
    def __init__(self, *, report: ImportReport):
        self.report = report
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

    def write(self, row: KeptRow) -> None:
        report = self.report
        product = self._meet_product(row.product_id, row.product_title)
        sku = self._meet_sku(product, row.sku_id, row.sku_title, row.sku_description)
        plan = self._meet_plan(sku, row.term, row.billing)
        start = row.effective_start
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
        elif stored != (_scaled(row.cost_price), _scaled(row.erp_price), row.effective_end):
            report.prices.changed += 1
        else:
            return
        self.pending_prices.append((plan, start, row.cost_price, row.erp_price, row.effective_end))
        if len(self.pending_prices) >= CHUNK_SIZE:
            self.flush()

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

    def flush(self) -> None:
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


def _price_keys(keys: list[tuple[int, date]]) -> Q:
    condition = Q()
    for plan_pk, start in keys:
        condition |= Q(plan_id=plan_pk, effective_start=start)
    return condition


def _chunks(items: list, size: int = 1000):
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]
