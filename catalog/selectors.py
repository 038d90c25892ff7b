"""Reads of the catalog: what is sold, and at what price for a reseller on a given day.

The reseller price of a plan is ``round_money(cost_price × (1 + markup / 100))`` for the whole term
of the plan, rounded once, here; the markup is the reseller's override or the distributor's default
(PriceRule). "Today" is always the date in Europe/Rome. Every function runs a fixed number of
queries whatever the number of products and plans, so pages built on them do too.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, TypedDict
from urllib.parse import quote

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    F,
    Func,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse

from catalog.models import Plan, Price, PriceRule, Product, Sku
from storefront.models import Reseller
from storefront.money import round_money

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MONTHS_IN_TERM = {Plan.Term.P1M: 1, Plan.Term.P1Y: 12, Plan.Term.P3Y: 36}
TERM_ORDER: dict[str, int] = {term: position for position, term in enumerate(MONTHS_IN_TERM)}
BILLING_ORDER: dict[str, int] = {Plan.Billing.MONTHLY: 0, Plan.Billing.ANNUAL: 1}


def months_in_term(term: str) -> int:
    return MONTHS_IN_TERM[Plan.Term(term)]


def markup_percent_for(*, reseller: Reseller | None) -> Decimal:
    """The reseller's own markup when it has one, otherwise the distributor's default."""
    if reseller is not None and reseller.markup_percent_override is not None:
        return reseller.markup_percent_override
    default = (
        PriceRule.objects.filter(pk=PriceRule.SINGLETON_ID)
        .values_list("default_markup_percent", flat=True)
        .first()
    )
    return settings.DEFAULT_MARKUP_PERCENT if default is None else default


def reseller_unit_price(*, cost_price: Decimal, markup_percent: Decimal) -> Decimal:
    """The price of one licence for the whole term, rounded to the cent (half up) once."""
    return round_money(cost_price * (1 + markup_percent / 100))


@dataclass(frozen=True)
class PlanPrice:
    """A plan on sale with the price in force for one reseller on one day."""

    plan: Plan
    price: Price
    markup_percent: Decimal
    reseller_price: Decimal  # one licence, whole term, rounded once

    @property
    def cost_price(self) -> Decimal:
        return self.price.cost_price

    @property
    def erp_price(self) -> Decimal:
        """Microsoft's suggested retail price for the whole term, to the cent."""
        return round_money(self.price.erp_price)

    @property
    def months_in_term(self) -> int:
        return months_in_term(self.plan.term)

    @property
    def monthly_fee(self) -> Decimal:
        """Reseller price per licence per month, unrounded: the pro-rata starts here
        (docs/product.md#money)."""
        return self.reseller_price / self.months_in_term

    @property
    def monthly_price(self) -> Decimal:
        """The monthly fee rounded to the cent, as pages show it."""
        return round_money(self.monthly_fee)


def _prices_in_force(on_date: date) -> QuerySet[Price]:
    return Price.objects.filter(
        Q(effective_end__isnull=True) | Q(effective_end__gte=on_date),
        effective_start__lte=on_date,
        plan__is_active=True,
    )


def _plan_prices(prices: Iterable[Price], *, markup_percent: Decimal) -> dict[int, PlanPrice]:
    """One PlanPrice per plan; when periods overlap, the price that started last wins."""
    latest: dict[int, Price] = {}
    for price in prices:
        current = latest.get(price.plan_id)
        if current is None or price.effective_start > current.effective_start:
            latest[price.plan_id] = price
    plan_prices = [
        PlanPrice(
            plan=price.plan,
            price=price,
            markup_percent=markup_percent,
            reseller_price=reseller_unit_price(
                cost_price=price.cost_price, markup_percent=markup_percent
            ),
        )
        for price in latest.values()
    ]
    plan_prices.sort(key=_plan_sort_key)
    return {plan_price.plan.pk: plan_price for plan_price in plan_prices}


def _plan_sort_key(plan_price: PlanPrice) -> tuple:
    plan = plan_price.plan
    return (
        plan.sku.product.title,
        plan.sku.sku_id,
        TERM_ORDER[plan.term],
        BILLING_ORDER[plan.billing],
    )


def plans_with_prices(
    *, reseller: Reseller | None, on_date: date, plan_ids: Iterable[int] | None = None
) -> dict[int, PlanPrice]:
    """Plans on sale on ``on_date`` (all, or those of ``plan_ids``) keyed by plan id.

    Plans that are inactive or have no price in force are left out. Two queries at most.
    """
    prices = _prices_in_force(on_date).select_related("plan__sku__product")
    if plan_ids is not None:
        prices = prices.filter(plan_id__in=list(plan_ids))
    return _plan_prices(prices, markup_percent=markup_percent_for(reseller=reseller))


def plan_reseller_price(
    *, plan: Plan, reseller: Reseller | None, on_date: date
) -> PlanPrice | None:
    """The plan's price for ``reseller`` on ``on_date``; None when it is not on sale that day."""
    return plans_with_prices(reseller=reseller, on_date=on_date, plan_ids=[plan.pk]).get(plan.pk)


def addon_plan_prices(
    *, base_plan: Plan, reseller: Reseller | None, on_date: date
) -> list[PlanPrice]:
    """Add-on plans on sale with ``base_plan``: valid for its SKU, same term and billing."""
    return list(
        _plan_prices(
            _addon_prices_in_force(base_plan, on_date),
            markup_percent=markup_percent_for(reseller=reseller),
        ).values()
    )


def _addon_prices_in_force(base_plan: Plan, on_date: date) -> QuerySet[Price]:
    return (
        _prices_in_force(on_date)
        .filter(
            plan__sku__is_addon=True,
            plan__sku__prerequisites=base_plan.sku_id,
            plan__term=base_plan.term,
            plan__billing=base_plan.billing,
        )
        .select_related("plan__sku__product")
    )


# --- Pages -------------------------------------------------------------------------------------


CATALOG_PAGE_SIZE = 24


@dataclass(frozen=True)
class ProductCard:
    product: Product
    from_monthly_price: Decimal  # the lowest monthly price among its plans on sale
    is_addon_only: bool
    url: str  # of the product page


@dataclass(frozen=True)
class FamilyGroup:
    family: str
    cards: list[ProductCard]


@dataclass(frozen=True)
class CatalogPage:
    families: list[FamilyGroup]
    page: Page  # of products


def catalog_page(
    *, reseller: Reseller | None, on_date: date, search: str = "", page_number=1
) -> CatalogPage:
    """One page of ``catalog_families``: its cost stays the same however large the catalog.

    ``page_number`` is taken as the user typed it: past the end gives the last page.
    """
    products = _catalog_products(reseller=reseller, on_date=on_date, search=search)
    page = Paginator(products, CATALOG_PAGE_SIZE).get_page(page_number)
    return CatalogPage(families=_family_groups(page.object_list), page=page)


def catalog_families(
    *, reseller: Reseller | None, on_date: date, search: str = ""
) -> list[FamilyGroup]:
    """Products on sale grouped by family, each with its "da € x,xx /utente/mese" price.

    ``search`` matches product and SKU titles and ids, ignoring case. One query.
    """
    return _family_groups(_catalog_products(reseller=reseller, on_date=on_date, search=search))


def _catalog_products(*, reseller: Reseller | None, on_date: date, search: str) -> QuerySet:
    """Products with a price in force, base products first, annotated with their "da" price.

    The "da" price is the lowest monthly price among the product's prices in force, computed by
    the database exactly as ``PlanPrice.monthly_price`` does it in Python: the price for the term
    rounded to the cent once, then divided by the months of the term and rounded again (ROUND on
    a positive numeric is half up, like ``round_money``).
    """
    markup_percent = markup_percent_for(reseller=reseller)
    months = Case(
        *(When(plan__term=term, then=Value(count)) for term, count in MONTHS_IN_TERM.items()),
        output_field=DecimalField(),
    )
    reseller_price = Func(
        F("cost_price") * Value(1 + markup_percent / 100, output_field=DecimalField()),
        Value(2),
        function="ROUND",
        output_field=DecimalField(),
    )
    monthly = Func(reseller_price / months, Value(2), function="ROUND", output_field=DecimalField())
    prices = _prices_in_force(on_date).filter(plan__sku__product=OuterRef("pk"))
    lowest = prices.order_by().values("plan__sku__product").annotate(low=Min(monthly)).values("low")
    products = Product.objects.filter(Exists(prices)).annotate(
        has_base_sku=Exists(Sku.objects.filter(product=OuterRef("pk"), is_addon=False)),
        from_monthly_price=Subquery(lowest, output_field=DecimalField()),
    )
    search = search.strip()
    if search:
        matching_skus = Sku.objects.filter(product=OuterRef("pk")).filter(
            Q(title__icontains=search) | Q(sku_id__icontains=search)
        )
        products = products.filter(
            Q(title__icontains=search) | Q(product_id__icontains=search) | Exists(matching_skus)
        )
    # Base products first: add-ons are bought with them, so their family closes the catalog.
    return products.order_by("-has_base_sku", "family", "title", "pk")


class _CatalogProductAnnotations(TypedDict):
    has_base_sku: bool
    from_monthly_price: Decimal


def _family_groups(
    products: "Iterable[WithAnnotations[Product, _CatalogProductAnnotations]]",
) -> list[FamilyGroup]:
    # One reverse() for the page, not one per card: it is the costliest part of a card.
    url_pattern = reverse("catalog:product", args=["-"])
    groups: list[FamilyGroup] = []
    for product in products:
        card = ProductCard(
            product=product,
            from_monthly_price=round_money(product.from_monthly_price),
            is_addon_only=not product.has_base_sku,
            url=url_pattern.replace("/-/", f"/{quote(product.product_id, safe='')}/"),
        )
        if not groups or groups[-1].family != product.family:
            groups.append(FamilyGroup(family=product.family, cards=[]))
        groups[-1].cards.append(card)
    return groups


@dataclass(frozen=True)
class PlanOffer:
    """A plan as the product page offers it: its price and the add-ons that can go with it."""

    plan_price: PlanPrice
    addon_plan_prices: list[PlanPrice] = field(default_factory=list)

    @property
    def plan(self) -> Plan:
        return self.plan_price.plan

    @property
    def sku(self) -> Sku:
        return self.plan_price.plan.sku


@dataclass(frozen=True)
class SkuOffer:
    sku: Sku
    offers: list[PlanOffer]
    addons: list[Sku]  # add-ons valid for this SKU, whatever their terms
    addon_plan_prices: list[PlanPrice]  # every plan on sale of those add-ons
    base_skus: list[Sku]  # for an add-on: the SKUs it can be added to


@dataclass(frozen=True)
class ProductPage:
    product: Product
    skus: list[SkuOffer]


def product_page(*, product: Product, reseller: Reseller | None, on_date: date) -> ProductPage:
    """Every SKU of ``product`` with its plans on sale and their add-ons. Five queries."""
    skus = list(
        product.skus.order_by("sku_id").prefetch_related(
            Prefetch("addons", queryset=Sku.objects.select_related("product").order_by("title")),
            Prefetch(
                "prerequisites", queryset=Sku.objects.select_related("product").order_by("title")
            ),
        )
    )
    sku_pks = {sku.pk for sku in skus}
    for sku in skus:
        sku_pks.update(addon.pk for addon in sku.addons.all() if addon.is_addon)
    prices = (
        _prices_in_force(on_date).filter(plan__sku__in=sku_pks).select_related("plan__sku__product")
    )
    plan_prices = _plan_prices(prices, markup_percent=markup_percent_for(reseller=reseller))

    by_sku: dict[int, list[PlanPrice]] = {}
    for plan_price in plan_prices.values():
        by_sku.setdefault(plan_price.plan.sku_id, []).append(plan_price)

    sku_offers = []
    for sku in skus:
        addons = [addon for addon in sku.addons.all() if addon.is_addon]
        addon_plan_prices = [pp for addon in addons for pp in by_sku.get(addon.pk, [])]
        offers = [
            PlanOffer(
                plan_price=plan_price,
                addon_plan_prices=[
                    addon_price
                    for addon_price in addon_plan_prices
                    if (addon_price.plan.term, addon_price.plan.billing)
                    == (plan_price.plan.term, plan_price.plan.billing)
                ],
            )
            for plan_price in by_sku.get(sku.pk, [])
        ]
        sku_offers.append(
            SkuOffer(
                sku=sku,
                offers=offers,
                addons=addons,
                addon_plan_prices=addon_plan_prices,
                base_skus=list(sku.prerequisites.all()) if sku.is_addon else [],
            )
        )
    return ProductPage(product=product, skus=sku_offers)


def plan_offer(*, plan_id: int, reseller: Reseller | None, on_date: date) -> PlanOffer | None:
    """The offer behind «Aggiungi al carrello»; None when the plan is not on sale that day."""
    markup_percent = markup_percent_for(reseller=reseller)
    prices = _prices_in_force(on_date).filter(plan_id=plan_id).select_related("plan__sku__product")
    plan_price = _plan_prices(prices, markup_percent=markup_percent).get(plan_id)
    if plan_price is None:
        return None
    addon_prices = _addon_prices_in_force(plan_price.plan, on_date)
    return PlanOffer(
        plan_price=plan_price,
        addon_plan_prices=list(_plan_prices(addon_prices, markup_percent=markup_percent).values()),
    )
