"""Cart test data on top of the catalog factories.

Resellers here buy at Microsoft's cost (markup 0 %): the prices given are the reseller prices for
the whole term, which keeps the expected amounts readable.
"""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from catalog.models import Plan, Sku
from catalog.tests.factories import AddonSkuFactory, SkuFactory, priced_plan
from checkout.models import Cart, CartLine, TermsVersion
from storefront.tests.factories import ResellerFactory, UserFactory


class TermsVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermsVersion

    version = factory.Sequence(lambda n: f"2026.{n}")
    title = "Termini di vendita"
    body = "Il rivenditore accetta le condizioni di vendita del distributore."
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


def reseller_user(**kwargs):
    """A reseller user whose reseller buys at Microsoft's cost (markup 0 %)."""
    reseller = ResellerFactory(markup_percent_override=Decimal("0"))
    return UserFactory(reseller=reseller, **kwargs)


def sku_create(
    *,
    title: str,
    is_addon: bool = False,
    prerequisites: tuple[Sku, ...] = (),
    **fields,
) -> Sku:
    """A SKU titled like its product (catalog factories), an add-on when ``is_addon``."""
    factory_class = AddonSkuFactory if is_addon else SkuFactory
    return factory_class(
        product__title=title, title=title, prerequisites=list(prerequisites), **fields
    )


def plan_on_sale(
    sku: Sku,
    *,
    price: str,
    term: str = Plan.Term.P1Y,
    billing: str = Plan.Billing.MONTHLY,
) -> Plan:
    """A plan of ``sku`` at ``price`` (whole term, EUR), in force since 2020 without end."""
    return priced_plan(
        sku=sku, term=term, billing=billing, cost=price, effective_start=date(2020, 1, 1)
    )


def business_standard_with_archiving() -> tuple[Plan, Plan]:
    """Microsoft 365 Business Standard P1Y monthly at € 140,40 and its add-on at € 36,00."""
    base_sku = sku_create(title="Microsoft 365 Business Standard")
    addon_sku = sku_create(
        title="Exchange Online Archiving", is_addon=True, prerequisites=(base_sku,)
    )
    return plan_on_sale(base_sku, price="140.40"), plan_on_sale(addon_sku, price="36.00")


class CartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cart

    user = factory.LazyFunction(reseller_user)
    reseller = factory.LazyAttribute(lambda cart: cart.user.reseller)


class CartLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CartLine

    cart = factory.SubFactory(CartFactory)
    quantity = 5
    unit_price_seen = Decimal("140.40")
