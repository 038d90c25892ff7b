from dataclasses import replace

import pytest

from catalog.models import Plan, Product, Sku
from catalog.services import catalog_sync
from catalog.tests.factories import PlanFactory, SkuFactory
from partnercenter import resources as pc
from partnercenter.errors import PartnerCenterUnavailable

pytestmark = pytest.mark.django_db


def remote_sku(product_id, sku_id="0001", **fields):
    values = {
        "product_id": product_id,
        "id": sku_id,
        "title": product_id,
        "description": "",
        "minimum_quantity": 1,
        "maximum_quantity": 300,
        "is_addon": False,
        "prerequisite_skus": (),
        "provisioning_id": f"prov-{product_id}",
        "supported_billing_cycles": ("monthly", "annual"),
    }
    return pc.Sku(**{**values, **fields})


def availability(sku: pc.Sku, *terms):
    return pc.Availability(
        id="DZH318Z0BQ3Q",
        product_id=sku.product_id,
        sku_id=sku.id,
        catalog_item_id=f"{sku.product_id}:{sku.id}:DZH318Z0BQ3Q",
        terms=tuple(pc.Term(duration=d, billing_cycle=b, description="") for d, b in terms),
    )


class FakeCatalog:
    """The three catalog calls of the Partner Center client, answering from memory."""

    def __init__(self, skus, *, terms=(("P1Y", "Annual"),), descriptions=None, fail=False):
        self.skus = list(skus)
        self.terms = terms
        self.descriptions = descriptions or {}
        self.fail = fail
        self.calls = []

    def list_products(self, *, country):
        self.calls.append(("products", country))
        if self.fail:
            raise PartnerCenterUnavailable("503")
        product_ids = sorted({sku.product_id for sku in self.skus} | {"CFQ7TTC0ALTRO"})
        return tuple(
            pc.Product(id=pid, title=pid, description=self.descriptions.get(pid, ""))
            for pid in product_ids
        )

    def list_skus(self, product_id, *, country):
        self.calls.append(("skus", product_id))
        return tuple(sku for sku in self.skus if sku.product_id == product_id)

    def list_availabilities(self, product_id, sku_id, *, country):
        self.calls.append(("availabilities", f"{product_id}:{sku_id}"))
        sku = next(s for s in self.skus if (s.product_id, s.id) == (product_id, sku_id))
        return (availability(sku, *self.terms),)


@pytest.fixture
def local_catalog():
    standard = SkuFactory(product__product_id="CFQ7TTC0LDPB", product__description="")
    basic = SkuFactory(product__product_id="CFQ7TTC0LH18")
    archiving = SkuFactory(product__product_id="CFQ7TTC0LH0Z", product__family="Add-on")
    PlanFactory(sku=standard, term=Plan.Term.P1Y, billing=Plan.Billing.ANNUAL)
    PlanFactory(sku=standard, term=Plan.Term.P1M, billing=Plan.Billing.MONTHLY)
    return standard, basic, archiving


def remote_catalog():
    return [
        remote_sku("CFQ7TTC0LDPB"),
        remote_sku("CFQ7TTC0LH18", maximum_quantity=300),
        remote_sku(
            "CFQ7TTC0LH0Z",
            maximum_quantity=10000,
            is_addon=True,
            prerequisite_skus=("CFQ7TTC0LH18:0001", "CFQ7TTC0LDPB:0001", "CFQ7TTC0LH16:0001"),
        ),
        remote_sku("CFQ7TTC0ALTRO"),  # not in our price list: ignored
    ]


def test_sync_fills_quantities_add_ons_prerequisites_and_provisioning_ids(local_catalog):
    standard, basic, archiving = local_catalog
    Sku.objects.filter(pk=archiving.pk).update(max_quantity=50)
    client = FakeCatalog(
        remote_catalog(), descriptions={"CFQ7TTC0LDPB": "Da Partner Center", "CFQ7TTC0LH18": "X"}
    )

    report = catalog_sync(client=client, country="IT")

    archiving.refresh_from_db()
    assert (archiving.is_addon, archiving.min_quantity, archiving.max_quantity) == (True, 1, 10000)
    assert set(archiving.prerequisites.all()) == {standard, basic}
    assert archiving.provisioning_id == "prov-CFQ7TTC0LH0Z"
    assert archiving.synced_at is not None
    assert report.unknown_prerequisites == ["CFQ7TTC0LH0Z:0001 → CFQ7TTC0LH16:0001"]
    assert report.plans_unavailable == ["CFQ7TTC0LDPB:0001 P1M monthly"]
    assert sorted(report.skus_updated) == [
        "CFQ7TTC0LDPB:0001",
        "CFQ7TTC0LH0Z:0001",
        "CFQ7TTC0LH18:0001",
    ]
    # an empty description is filled, one set by staff is kept
    assert Product.objects.get(product_id="CFQ7TTC0LDPB").description == "Da Partner Center"
    assert Product.objects.get(product_id="CFQ7TTC0LH18").description != "X"
    assert ("availabilities", "CFQ7TTC0ALTRO:0001") not in client.calls

    again = catalog_sync(client=FakeCatalog(remote_catalog()), country="IT")
    assert again.skus_updated == [] and again.skus_unchanged == 3


def test_sync_reports_skus_partner_center_does_not_know(local_catalog):
    client = FakeCatalog([remote_sku("CFQ7TTC0LDPB")])
    report = catalog_sync(client=client, country="IT")
    assert report.skus_missing == ["CFQ7TTC0LH0Z:0001", "CFQ7TTC0LH18:0001"]


def test_sync_ignores_impossible_quantities(local_catalog):
    standard, _basic, _archiving = local_catalog
    broken = replace(remote_sku("CFQ7TTC0LDPB"), minimum_quantity=10, maximum_quantity=5)
    report = catalog_sync(client=FakeCatalog([broken]), country="IT")
    standard.refresh_from_db()
    assert (standard.min_quantity, standard.max_quantity) == (1, 300)
    assert report.invalid_quantities == ["CFQ7TTC0LDPB:0001"]


def test_dry_run_and_partner_center_failures_change_nothing(local_catalog):
    _standard, _basic, archiving = local_catalog
    report = catalog_sync(client=FakeCatalog(remote_catalog()), country="IT", dry_run=True)
    assert "CFQ7TTC0LH0Z:0001" in report.skus_updated
    with pytest.raises(PartnerCenterUnavailable):
        catalog_sync(client=FakeCatalog(remote_catalog(), fail=True), country="IT")
    archiving.refresh_from_db()
    assert not archiving.is_addon and archiving.synced_at is None
    assert not archiving.prerequisites.exists()
