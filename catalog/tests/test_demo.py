from datetime import date
from decimal import Decimal

import pytest

from catalog.models import Plan, Product, Sku
from catalog.selectors import catalog_families, plans_with_prices
from catalog.services import catalog_load_demo

pytestmark = pytest.mark.django_db

NOVEMBER_29 = date(2026, 11, 29)


def test_the_demo_catalog_loads_through_the_importer_with_its_details():
    report = catalog_load_demo()

    assert report.products.added == 15 and report.plans.added == 50
    families = catalog_families(reseller=None, on_date=NOVEMBER_29)
    assert [group.family for group in families] == [
        "Exchange Online",
        "Microsoft 365 Business",
        "Microsoft 365 Enterprise",
        "Office 365 Enterprise",
        "Add-on",
    ]
    standard = Sku.objects.get(product__product_id="CFQ7TTC0LDPB")
    addons = Sku.objects.filter(prerequisites=standard, is_addon=True)
    assert {addon.catalog_id for addon in addons} == {
        "CFQ7TTC0LH0Z:0001",
        "CFQ7TTC0LHSV:0001",
        "CFQ7TTC0LHQZ:0001",
    }
    security = Sku.objects.get(product__product_id="CFQ7TTC0LFK3")
    assert security.is_addon and (security.min_quantity, security.max_quantity) == (1, 10000)
    assert {base.catalog_id for base in security.prerequisites.all()} == {
        "CFQ7TTC0LFLX:0001",
        "CFQ7TTC0LCHC:0002",
    }
    assert Plan.objects.filter(term=Plan.Term.P3Y).count() == 5


def test_loading_the_demo_catalog_twice_changes_nothing():
    catalog_load_demo()
    products = list(
        Product.objects.values_list("product_id", "family", "description", "updated_at")
    )
    again = catalog_load_demo()
    assert (again.added, again.changed, again.retired) == (0, 0, 0)
    assert products == list(
        Product.objects.values_list("product_id", "family", "description", "updated_at")
    )


def test_the_spec_example_price_comes_out_of_the_demo_data_with_the_default_markup():
    catalog_load_demo()
    plan = Plan.objects.get(
        sku__product__product_id="CFQ7TTC0LDPB", term=Plan.Term.P1Y, billing=Plan.Billing.ANNUAL
    )

    price = plans_with_prices(reseller=None, on_date=NOVEMBER_29, plan_ids=[plan.pk])[plan.pk]

    assert price.cost_price == Decimal("127.64")
    assert price.reseller_price == Decimal("140.40")
    assert price.monthly_fee == Decimal("11.70")
