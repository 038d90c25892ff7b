from datetime import date
from decimal import Decimal

import factory

from catalog.models import Plan, Price, Product, Sku


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    product_id = factory.Sequence(lambda n: f"CFQ7TTC{n:05d}")
    title = factory.Sequence(lambda n: f"Microsoft 365 Prodotto {n}")
    description = "Posta, Teams e app di Office per le aziende."
    family = "Microsoft 365 Business"


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    sku_id = "0001"
    title = factory.LazyAttribute(lambda sku: sku.product.title)
    min_quantity = 1
    max_quantity = 300

    @factory.post_generation
    def prerequisites(sku, create, extracted, **kwargs):
        if create and extracted:
            sku.prerequisites.set(extracted)


class AddonSkuFactory(SkuFactory):
    is_addon = True
    product = factory.SubFactory(ProductFactory, family="Add-on")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    sku = factory.SubFactory(SkuFactory)
    term = Plan.Term.P1Y
    billing = Plan.Billing.ANNUAL


class PriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Price

    plan = factory.SubFactory(PlanFactory)
    cost_price = Decimal("127.64")
    erp_price = Decimal("153.17")
    effective_start = date(2026, 11, 1)
    effective_end = None


def priced_plan(*, sku, term=Plan.Term.P1Y, billing=Plan.Billing.ANNUAL, cost="127.64", **price):
    """A plan of ``sku`` with one open-ended price from 1 November 2026."""
    plan = PlanFactory(sku=sku, term=term, billing=billing)
    PriceFactory(plan=plan, cost_price=Decimal(cost), **price)
    return plan
