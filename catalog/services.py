"""Writes to the catalog besides the price list import (catalog/pricelist/): the Partner Center
sync of SKU details and the demo catalog."""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from django.db import transaction
from django.utils import timezone

from catalog.models import Plan, Product, Sku
from catalog.pricelist.importer import ImportReport, pricelist_import
from partnercenter import resources as pc

FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_PRICELIST = FIXTURES / "demo_pricelist.csv"
DEMO_CATALOG = FIXTURES / "demo_catalog.json"


# --- Partner Center sync -----------------------------------------------------------------------


class CatalogSource(Protocol):
    """The three catalog calls of the Partner Center client (partnercenter.client)."""

    def list_products(self, *, country: str) -> Sequence[pc.Product]: ...

    def list_skus(self, product_id: str, *, country: str) -> Sequence[pc.Sku]: ...

    def list_availabilities(
        self, product_id: str, sku_id: str, *, country: str
    ) -> Sequence[pc.Availability]: ...


@dataclass
class SyncReport:
    skus_updated: list[str] = field(default_factory=list)  # productId:skuId
    skus_unchanged: int = 0
    skus_missing: list[str] = field(default_factory=list)  # ours, unknown to Partner Center
    unknown_prerequisites: list[str] = field(default_factory=list)
    plans_unavailable: list[str] = field(default_factory=list)  # no availability for the term
    invalid_quantities: list[str] = field(default_factory=list)
    dry_run: bool = False


@dataclass(frozen=True)
class _RemoteSku:
    sku: pc.Sku
    availabilities: tuple[pc.Availability, ...]


def catalog_sync(
    *, client: CatalogSource, country: str = "IT", dry_run: bool = False
) -> SyncReport:
    """Fill SKU details the price list lacks (quantities, add-on flag, prerequisites, provisioning
    id) from Partner Center, for the SKUs the price list brought in.

    Partner Center is read first, outside any transaction; then the changes are written in one
    transaction, so a failing call changes nothing. A product description left empty is filled
    with Partner Center's; families and descriptions set by staff are kept.
    """
    local_skus = {
        sku.catalog_id: sku
        for sku in Sku.objects.select_related("product").prefetch_related("prerequisites__product")
    }
    remote_products, remote_skus = _catalog_fetch(client, country, local_skus)
    report = SyncReport(dry_run=dry_run)
    report.skus_missing = sorted(set(local_skus) - set(remote_skus))

    changed_skus: list[Sku] = []
    prerequisites: dict[Sku, list[Sku]] = {}
    for catalog_id, remote in sorted(remote_skus.items()):
        sku = local_skus[catalog_id]
        wanted = _sku_prerequisites(remote.sku, local_skus, report)
        if _sku_apply(sku, remote.sku, report) or wanted != set(sku.prerequisites.all()):
            changed_skus.append(sku)
            prerequisites[sku] = sorted(wanted, key=lambda base: base.catalog_id)
            report.skus_updated.append(catalog_id)
        else:
            report.skus_unchanged += 1
    report.plans_unavailable = _plans_unavailable(remote_skus)
    products = _products_to_describe(remote_products)

    if not dry_run:
        with transaction.atomic():
            for sku in changed_skus:
                sku.save(
                    update_fields=["min_quantity", "max_quantity", "is_addon", "provisioning_id"]
                )
                sku.prerequisites.set(prerequisites[sku])
            Sku.objects.filter(
                pk__in=[local_skus[catalog_id].pk for catalog_id in remote_skus]
            ).update(synced_at=timezone.now())
            Product.objects.bulk_update(products, ["description"])
    return report


def _catalog_fetch(
    client: CatalogSource, country: str, local_skus: dict[str, Sku]
) -> tuple[dict[str, pc.Product], dict[str, _RemoteSku]]:
    local_product_ids = {sku.product.product_id for sku in local_skus.values()}
    remote_products = {
        product.id: product
        for product in client.list_products(country=country)
        if product.id in local_product_ids
    }
    remote_skus = {}
    for product_id in sorted(remote_products):
        for sku in client.list_skus(product_id, country=country):
            catalog_id = f"{product_id}:{sku.id}"
            if catalog_id in local_skus:
                availabilities = client.list_availabilities(product_id, sku.id, country=country)
                remote_skus[catalog_id] = _RemoteSku(sku=sku, availabilities=tuple(availabilities))
    return remote_products, remote_skus


def _sku_apply(sku: Sku, remote: pc.Sku, report: SyncReport) -> bool:
    """Copy Partner Center's details onto ``sku``; True when something changed."""
    values = {"is_addon": remote.is_addon, "provisioning_id": remote.provisioning_id}
    if 1 <= remote.minimum_quantity <= remote.maximum_quantity:
        values["min_quantity"] = remote.minimum_quantity
        values["max_quantity"] = remote.maximum_quantity
    else:
        report.invalid_quantities.append(sku.catalog_id)
    changed = False
    for name, value in values.items():
        if getattr(sku, name) != value:
            setattr(sku, name, value)
            changed = True
    return changed


def _sku_prerequisites(remote: pc.Sku, local_skus: dict[str, Sku], report: SyncReport) -> set[Sku]:
    wanted = set()
    for catalog_id in remote.prerequisite_skus:
        base = local_skus.get(catalog_id)
        if base is None:
            report.unknown_prerequisites.append(f"{remote.product_id}:{remote.id} → {catalog_id}")
        else:
            wanted.add(base)
    return wanted


def _plans_unavailable(remote_skus: dict[str, _RemoteSku]) -> list[str]:
    """Active plans Partner Center has no availability for: ordering them would fail."""
    unavailable = []
    plans = Plan.objects.filter(is_active=True).select_related("sku__product")
    for plan in plans.order_by("sku__product__product_id", "sku__sku_id", "term", "billing"):
        remote = remote_skus.get(plan.sku.catalog_id)
        if remote is None:
            continue
        if not any(
            availability.offers(term_duration=plan.term, billing_cycle=plan.billing)
            for availability in remote.availabilities
        ):
            unavailable.append(f"{plan.sku.catalog_id} {plan.term} {plan.billing}")
    return unavailable


def _products_to_describe(remote_products: dict[str, pc.Product]) -> list[Product]:
    products = []
    for product in Product.objects.filter(product_id__in=remote_products, description=""):
        description = remote_products[product.product_id].description
        if description:
            product.description = description
            products.append(product)
    return products


# --- Demo catalog ------------------------------------------------------------------------------


@transaction.atomic
def catalog_load_demo() -> ImportReport:
    """Import the demo price list through the importer, then the details Microsoft's file lacks
    (families, descriptions, quantities, add-ons and prerequisites: fixtures/demo_catalog.json).

    Re-running it changes nothing. sync_catalog later overwrites SKU details with Partner
    Center's, which the sandbox serves identical.
    """
    report = pricelist_import(path=DEMO_PRICELIST)
    details = json.loads(DEMO_CATALOG.read_text(encoding="utf-8"))
    products = {product.product_id: product for product in Product.objects.all()}
    for product_id, values in details["products"].items():
        product = products[product_id]
        product.family = values["family"]
        product.description = values["description"]
        product.description_en = values["description_en"]
    Product.objects.bulk_update(
        [products[product_id] for product_id in details["products"]],
        ["family", "description", "description_en"],
    )

    skus = {sku.catalog_id: sku for sku in Sku.objects.select_related("product")}
    for catalog_id, values in details["skus"].items():
        sku = skus[catalog_id]
        sku.min_quantity = values["min_quantity"]
        sku.max_quantity = values["max_quantity"]
        sku.is_addon = values.get("is_addon", False)
        sku.allows_quantity_above_base = values.get("allows_quantity_above_base", False)
        sku.save(
            update_fields=["min_quantity", "max_quantity", "is_addon", "allows_quantity_above_base"]
        )
        sku.prerequisites.set([skus[base_id] for base_id in values.get("prerequisites", [])])
    return report
