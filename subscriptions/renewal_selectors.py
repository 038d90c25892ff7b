"""Reads for renewals: the targets a plan may name with today's prices, a plan's next-term
price, the «Rinnovi» list. Never calls Partner Center; fixed query counts."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from catalog.models import Plan
from catalog.selectors import plans_with_prices
from storefront.dates import rome_today
from subscriptions.models import Subscription, next_term_label

UPCOMING_DAYS = 60


@dataclass(frozen=True)
class PlanOption:
    """A product, term and billing a renewal plan may choose, at today's reseller price."""

    plan_id: int
    product_id: str
    sku_id: str
    title: str
    term: str
    billing: str
    unit_price: Decimal  # one licence, the whole term
    min_quantity: int
    max_quantity: int

    @property
    def label(self) -> str:
        return f"{self.title} · {Plan.Term(self.term).label} · {Plan.Billing(self.billing).label}"

    def next_term(self, quantity: int) -> dict:
        return {
            "product_id": self.product_id,
            "sku_id": self.sku_id,
            "title": self.title,
            "term": self.term,
            "billing": self.billing,
            "quantity": quantity,
        }


def plan_options(*, subscription: Subscription, today: date | None = None) -> list[PlanOption]:
    """Base SKUs of the subscription's product family (the same SKU first) on sale today: what
    the form offers; the worker checks the choice against Partner Center's scheduled
    eligibilities before the PATCH. Three queries."""
    today = today or rome_today()
    family = (
        Plan.objects.filter(sku__product__product_id=subscription.product_id)
        .values_list("sku__product__family", flat=True)
        .first()
    )
    same_family = Q(sku__product__product_id=subscription.product_id)
    if family:
        same_family |= Q(sku__product__family=family)
    plan_ids = Plan.objects.filter(same_family, sku__is_addon=False).values_list("pk", flat=True)
    prices = plans_with_prices(
        reseller=subscription.reseller, on_date=today, plan_ids=list(plan_ids)
    )
    options = [
        PlanOption(
            plan_id=price.plan.pk,
            product_id=price.plan.sku.product.product_id,
            sku_id=price.plan.sku.sku_id,
            title=price.plan.sku.title,
            term=price.plan.term,
            billing=price.plan.billing,
            unit_price=price.reseller_price,
            min_quantity=price.plan.sku.min_quantity,
            max_quantity=price.plan.sku.max_quantity,
        )
        for price in prices.values()
    ]
    current = (subscription.product_id, subscription.sku_id)
    return sorted(
        options,
        key=lambda o: ((o.product_id, o.sku_id) != current, o.title, o.term, o.billing),
    )


@dataclass(frozen=True)
class NextTerm:
    """A renewal plan as the pages show it: its words and the next term's price at today's
    list price (None when the catalogue has no price for it today)."""

    label: str
    quantity: int
    unit_price: Decimal | None
    total: Decimal | None


def next_term_view(
    *, subscription: Subscription, next_term: dict | None, today: date | None = None
) -> NextTerm | None:
    if not next_term:
        return None
    today = today or rome_today()
    plan = (
        Plan.objects.filter(
            sku__product__product_id=next_term.get("product_id"),
            sku__sku_id=next_term.get("sku_id"),
            term=next_term.get("term"),
            billing=str(next_term.get("billing", "")).lower(),
        )
        .select_related("sku")
        .first()
    )
    quantity = int(next_term.get("quantity") or 0)
    words = dict(next_term)
    if plan is not None and not words.get("title"):
        words["title"] = plan.sku.title
    price = (
        plans_with_prices(reseller=subscription.reseller, on_date=today, plan_ids=[plan.pk]).get(
            plan.pk
        )
        if plan is not None
        else None
    )
    unit = price.reseller_price if price else None
    return NextTerm(
        label=next_term_label(words),
        quantity=quantity,
        unit_price=unit,
        total=unit * quantity if unit is not None else None,
    )


def upcoming_renewals(
    *, subscriptions: QuerySet[Subscription], now: datetime | None = None
) -> QuerySet[Subscription]:
    """Active subscriptions whose term ends in the next 60 days, soonest first, with the plan
    the reseller keeps (one query, whatever the count)."""
    now = now or timezone.now()
    return (
        subscriptions.filter(
            status=Subscription.Status.ACTIVE,
            vanished_at=None,
            commitment_end__gte=now - timedelta(days=1),
            commitment_end__lte=now + timedelta(days=UPCOMING_DAYS),
        )
        .select_related("customer", "renewal_plan")
        .order_by("commitment_end", "customer__company_name", "pk")
    )
