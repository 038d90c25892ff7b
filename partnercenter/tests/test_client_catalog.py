"""Contract tests, against the running sandbox: products, SKUs, availabilities for IT."""

import pytest

from partnercenter.errors import PartnerCenterNotFound
from partnercenter.resources import Term


def test_products_are_the_demo_catalog(pc_client):
    products = pc_client.list_products()

    assert len(products) == 15
    by_id = {product.id: product for product in products}
    assert by_id["CFQ7TTC0LH18"].title == "Microsoft 365 Business Basic"
    assert by_id["CFQ7TTC0LFK3"].title == "Microsoft 365 E5 Security"


def test_products_of_another_country_are_none(pc_client):
    assert pc_client.list_products(country="FR") == ()


def test_sku_of_a_base_product_has_its_limits_and_provisioning_id(pc_client):
    (sku,) = pc_client.list_skus("CFQ7TTC0LH18")

    assert (sku.product_id, sku.id, sku.title) == (
        "CFQ7TTC0LH18",
        "0001",
        "Microsoft 365 Business Basic",
    )
    assert (sku.minimum_quantity, sku.maximum_quantity) == (1, 300)
    assert (sku.is_addon, sku.prerequisite_skus) == (False, ())
    assert sku.provisioning_id == "3b555118-da6a-4418-894f-7df1e2096870"
    assert sku.supported_billing_cycles == ("annual", "monthly")


def test_sku_of_an_addon_lists_its_base_products(pc_client):
    (sku,) = pc_client.list_skus("CFQ7TTC0LFK3")

    assert sku.is_addon is True
    assert sku.prerequisite_skus == ("CFQ7TTC0LFLX:0001", "CFQ7TTC0LCHC:0002")
    assert sku.maximum_quantity == 10000


def test_skus_of_an_unknown_product_are_not_found(pc_client):
    with pytest.raises(PartnerCenterNotFound) as raised:
        pc_client.list_skus("CFQ7TTC0XXXX")

    assert raised.value.code == "400013"


def test_availability_offers_the_terms_of_the_sku(pc_client):
    (availability,) = pc_client.list_availabilities("CFQ7TTC0LH18", "0001")
    (without_three_years,) = pc_client.list_availabilities("CFQ7TTC0LH16", "0001")

    assert availability.catalog_item_id == f"CFQ7TTC0LH18:0001:{availability.id}"
    assert [(t.duration, t.billing_cycle) for t in availability.terms] == [
        ("P1M", "Monthly"),
        ("P1Y", "Monthly"),
        ("P1Y", "Annual"),
        ("P3Y", "Annual"),
    ]
    assert availability.offers(term_duration="P3Y", billing_cycle="annual") is True
    assert without_three_years.offers(term_duration="P3Y", billing_cycle="annual") is False
    assert Term("P1M", "Monthly", "One-Month commitment for monthly billing") in (
        without_three_years.terms
    )


def test_availability_ids_change_when_the_catalog_rotates(pc_client, pc_sandbox):
    (before,) = pc_client.list_availabilities("CFQ7TTC0LH18", "0001")

    pc_sandbox.control.rotate_catalog()

    (after,) = pc_client.list_availabilities("CFQ7TTC0LH18", "0001")
    assert after.catalog_item_id != before.catalog_item_id
