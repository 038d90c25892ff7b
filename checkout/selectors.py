"""Reads of the cart: its «Riepilogo», the terms in force and the checkout in progress.

Prices come from catalog.selectors (the reseller price of a plan for the whole term, in force on
``today``); this module only multiplies them out. Every function runs a fixed number of queries
whatever the number of lines.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from catalog.models import Plan
from catalog.selectors import PlanPrice, months_in_term, plans_with_prices
from checkout.errors import CartError
from checkout.models import Cart, CartLine, TermsVersion
from checkout.prorata import line_estimate, total_estimate
from storefront.models import Reseller
from storefront.money import round_money

BILLING_PERIOD_LABELS: dict[str, Promise] = {
    Plan.Billing.MONTHLY: gettext_lazy("al mese"),
    Plan.Billing.ANNUAL: gettext_lazy("all'anno"),
}
BILLING_TOTAL_LABELS: dict[str, Promise] = {
    Plan.Billing.MONTHLY: gettext_lazy("Totale mensile"),
    Plan.Billing.ANNUAL: gettext_lazy("Totale annuale"),
}


def line_amount_per_billing_period(
    *, unit_price_for_term: Decimal, months_in_term: int, billing: str, quantity: int
) -> Decimal:
    """What one line costs each time it is billed, excluding VAT, rounded once per line.

    - monthly billing: billed every month, ``unit price for the term / months_in_term × quantity``
      (P1M: the unit price; P1Y: a twelfth; P3Y: a thirty-sixth);
    - annual billing: billed every year, ``unit price / years in the term × quantity`` (P1Y: the
      whole unit price; P3Y: a third). A term shorter than a year is billed once.
    """
    if billing == Plan.Billing.MONTHLY:
        periods_in_term = months_in_term
    else:
        periods_in_term = max(1, months_in_term // 12)
    return round_money(unit_price_for_term * quantity / periods_in_term)


@dataclass(frozen=True)
class CartSummaryLine:
    """One cart line as the «Riepilogo» shows it and as an order line snapshots it.

    Identity: ``line_id`` (CartLine pk), ``base_line_id`` (the base line's pk for an add-on, else
    None), ``plan`` (the Plan, with ``sku`` and ``sku.product`` loaded).
    Snapshot: ``product_id`` and ``sku_id`` (Partner Center ids, e.g. ``CFQ7TTC0LH18`` and
    ``0001``), ``product_title``, ``sku_title``, ``term`` (``P1M``/``P1Y``/``P3Y``) and
    ``term_label``, ``billing`` (``monthly``/``annual``) and ``billing_label``, ``months_in_term``,
    ``quantity``; ``min_quantity``/``max_quantity`` are the SKU's limits.
    Amounts, all Decimal in EUR excluding VAT, for the reseller, as in force on the summary's day:
    ``unit_price`` (one licence, whole term), ``unit_price_seen`` (what the line showed when added
    or at the last «Checkout >>»), ``monthly_fee`` (unit price / months in term, rounded for
    display only), ``line_total`` (per billing period, see ``line_amount_per_billing_period``),
    ``estimated_usage`` («Utilizzo stimato», docs/product.md#money).
    ``is_available`` is False when the plan is no longer sold (inactive or no price in force):
    then ``unit_price``, ``monthly_fee``, ``line_total`` and ``estimated_usage`` are None and the
    line counts in no total. ``is_price_changed``: the price in force differs from the one seen.
    ``addons``: the add-on lines of a base line, in the order they were added (empty for add-ons).
    """

    line_id: int
    base_line_id: int | None
    plan: Plan
    product_id: str
    sku_id: str
    product_title: str
    sku_title: str
    term: str
    term_label: str
    billing: str
    billing_label: str
    months_in_term: int
    quantity: int
    min_quantity: int
    max_quantity: int
    is_available: bool
    is_price_changed: bool
    unit_price: Decimal | None
    unit_price_seen: Decimal
    monthly_fee: Decimal | None
    line_total: Decimal | None
    estimated_usage: Decimal | None
    addons: tuple["CartSummaryLine", ...] = ()

    @property
    def is_addon(self) -> bool:
        return self.base_line_id is not None

    @property
    def billing_period_label(self) -> str:
        return str(BILLING_PERIOD_LABELS[self.billing])


@dataclass(frozen=True)
class BillingTotal:
    """Lines billed with one frequency: ``net`` excluding VAT, ``vat`` at the rate, ``gross``."""

    billing: str
    label: str
    net: Decimal
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class CartSummary:
    """The «Riepilogo» of a cart on ``today`` (Europe/Rome), the contract of checkout and order.

    ``lines``: base lines in the order they were added, each with its ``addons``; ``all_lines``
    flattens them (base, its add-ons, next base, …), which is what an order snapshots.
    ``totals``: one BillingTotal per billing frequency present (monthly first); amounts billed
    monthly and yearly are never added together. VAT is ``round_money(net × vat_rate)`` per total.
    ``estimated_usage_total``: the sum of the lines' «Utilizzo stimato», excluding VAT.
    ``has_unavailable_lines`` / ``has_price_changes``: a line is no longer sold / its price changed.
    """

    cart: Cart | None
    today: date
    lines: tuple[CartSummaryLine, ...]
    all_lines: tuple[CartSummaryLine, ...]
    totals: tuple[BillingTotal, ...]
    vat_rate: Decimal
    estimated_usage_total: Decimal
    has_unavailable_lines: bool
    has_price_changes: bool

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def line_count(self) -> int:
        return len(self.all_lines)

    @property
    def vat_percent(self) -> Decimal:
        return (self.vat_rate * 100).normalize()


def cart_find_open(*, user) -> Cart | None:
    """The user's open cart, without creating one (pages only read)."""
    return Cart.objects.filter(user=user, status=Cart.Status.OPEN).first()


def cart_summary(*, cart: Cart | None, reseller: Reseller | None, today: date) -> CartSummary:
    """The «Riepilogo» of ``cart`` with the prices in force on ``today``. Three queries at most.

    ``cart`` None gives the empty summary (a user who never added anything).
    """
    lines = []
    if cart is not None:
        lines = list(
            CartLine.objects.filter(cart=cart)
            .select_related("plan__sku__product")
            .order_by("created_at", "pk")
        )
    prices = (
        plans_with_prices(
            reseller=reseller, on_date=today, plan_ids={line.plan_id for line in lines}
        )
        if lines
        else {}
    )
    flat = [_summary_line(line, prices.get(line.plan_id), today) for line in lines]
    addons_by_base: dict[int, list[CartSummaryLine]] = defaultdict(list)
    for summary_line in flat:
        if summary_line.base_line_id is not None:
            addons_by_base[summary_line.base_line_id].append(summary_line)
    grouped = tuple(
        replace(summary_line, addons=tuple(addons_by_base[summary_line.line_id]))
        for summary_line in flat
        if not summary_line.is_addon
    )
    available = [line for line in flat if line.is_available]
    return CartSummary(
        cart=cart,
        today=today,
        lines=grouped,
        all_lines=tuple(line for base in grouped for line in (base, *base.addons)),
        totals=_billing_totals(available),
        vat_rate=settings.VAT_RATE,
        estimated_usage_total=total_estimate(
            line.estimated_usage for line in available if line.estimated_usage is not None
        ),
        has_unavailable_lines=len(available) < len(flat),
        has_price_changes=any(line.is_price_changed for line in flat),
    )


def _summary_line(line: CartLine, plan_price: PlanPrice | None, today: date) -> CartSummaryLine:
    plan = line.plan
    sku = plan.sku
    months = months_in_term(plan.term)
    unit_price = monthly_fee = line_total = estimated_usage = None
    if plan_price is not None:
        unit_price = plan_price.reseller_price
        monthly_fee = plan_price.monthly_price
        line_total = line_amount_per_billing_period(
            unit_price_for_term=unit_price,
            months_in_term=months,
            billing=plan.billing,
            quantity=line.quantity,
        )
        estimated_usage = line_estimate(
            unit_price_for_term=unit_price,
            months_in_term=months,
            quantity=line.quantity,
            today=today,
        )
    return CartSummaryLine(
        line_id=line.pk,
        base_line_id=line.base_line_id,
        plan=plan,
        product_id=sku.product.product_id,
        sku_id=sku.sku_id,
        product_title=sku.product.title,
        sku_title=sku.title,
        term=plan.term,
        term_label=plan.get_term_display(),
        billing=plan.billing,
        billing_label=plan.get_billing_display(),
        months_in_term=months,
        quantity=line.quantity,
        min_quantity=sku.min_quantity,
        max_quantity=sku.max_quantity,
        is_available=plan_price is not None,
        is_price_changed=unit_price is not None and unit_price != line.unit_price_seen,
        unit_price=unit_price,
        unit_price_seen=line.unit_price_seen,
        monthly_fee=monthly_fee,
        line_total=line_total,
        estimated_usage=estimated_usage,
    )


def _billing_totals(lines: list[CartSummaryLine]) -> tuple[BillingTotal, ...]:
    totals = []
    for billing in (Plan.Billing.MONTHLY, Plan.Billing.ANNUAL):
        billed = [
            line.line_total
            for line in lines
            if line.billing == billing and line.line_total is not None
        ]
        if not billed:
            continue
        net = sum(billed, Decimal("0.00"))
        vat = round_money(net * settings.VAT_RATE)
        totals.append(
            BillingTotal(
                billing=billing,
                label=str(BILLING_TOTAL_LABELS[billing]),
                net=net,
                vat=vat,
                gross=net + vat,
            )
        )
    return tuple(totals)


def cart_addon_offers(
    *, summary: CartSummary, reseller: Reseller | None, today: date
) -> dict[int, list[PlanPrice]]:
    """For each base line on sale: the add-on plans that can still be added. Three queries at most.

    Valid add-ons are those of catalog.selectors.addon_plan_prices (the add-on SKU lists the base
    SKU among its prerequisites, same term and billing), found for all lines at once.
    """
    base_lines = [line for line in summary.lines if line.is_available]
    if not base_lines:
        return {}
    candidates = Plan.objects.filter(
        sku__is_addon=True, sku__prerequisites__in={line.plan.sku_id for line in base_lines}
    ).values_list("pk", "sku__prerequisites", "term", "billing")
    plan_ids_by_base: dict[tuple, set[int]] = defaultdict(set)
    for plan_id, base_sku_id, term, billing in candidates:
        plan_ids_by_base[(base_sku_id, term, billing)].add(plan_id)
    all_plan_ids = set().union(*plan_ids_by_base.values()) if plan_ids_by_base else set()
    prices = plans_with_prices(reseller=reseller, on_date=today, plan_ids=all_plan_ids)

    offers = {}
    for line in base_lines:
        chosen = {addon.plan.pk for addon in line.addons}
        plan_ids = plan_ids_by_base[(line.plan.sku_id, line.plan.term, line.plan.billing)]
        offers[line.line_id] = sorted(
            (prices[pk] for pk in plan_ids - chosen if pk in prices),
            key=lambda plan_price: plan_price.plan.sku.title,
        )
    return offers


def terms_latest(*, now: datetime | None = None) -> TermsVersion | None:
    """The terms of sale in force: the version published last, not in the future."""
    return (
        TermsVersion.objects.filter(published_at__lte=now or timezone.now())
        .order_by("-published_at", "-pk")
        .first()
    )


def cart_get_for_checkout(*, user) -> Cart:
    """The cart the new-customer wizard works on: open, «Checkout >>» done and not changed since.

    Raises CartError ``checkout_not_started`` otherwise: the wizard sends the user back to the cart.
    """
    cart = cart_find_open(user=user)
    if cart is None or not cart.is_checkout_started:
        raise CartError(
            "checkout_not_started",
            _("Conferma prima il carrello: accetta i termini di vendita e premi «Checkout >>»."),
        )
    return cart
