"""sync_catalog against the Partner Center sandbox over HTTPS (its demo catalog)."""

import io

import pytest
from django.core.management import call_command

from catalog.models import Sku
from catalog.pricelist.importer import pricelist_import
from catalog.services import DEMO_PRICELIST

pytestmark = pytest.mark.django_db


def test_sync_catalog_fills_sku_details_from_the_sandbox(pc_sandbox):
    pricelist_import(path=DEMO_PRICELIST)  # titles and prices only: no add-ons, default limits
    assert not Sku.objects.filter(is_addon=True).exists()

    out = io.StringIO()
    call_command("sync_catalog", stdout=out)

    assert "SKU aggiornati: 15, invariati: 0." in out.getvalue()
    e3 = Sku.objects.get(product__product_id="CFQ7TTC0LFLX")
    assert (e3.min_quantity, e3.max_quantity, e3.is_addon) == (1, 10000, False)
    assert e3.provisioning_id
    archiving = Sku.objects.get(product__product_id="CFQ7TTC0LH0Z")
    assert archiving.is_addon
    assert {base.catalog_id for base in archiving.prerequisites.all()} == {
        "CFQ7TTC0LH16:0001",
        "CFQ7TTC0LH18:0001",
        "CFQ7TTC0LDPB:0001",
    }
    standard = Sku.objects.get(product__product_id="CFQ7TTC0LDPB")
    assert {addon.catalog_id for addon in standard.addons.all()} == {
        "CFQ7TTC0LH0Z:0001",
        "CFQ7TTC0LHSV:0001",
        "CFQ7TTC0LHQZ:0001",
    }

    out = io.StringIO()
    call_command("sync_catalog", stdout=out)
    assert "SKU aggiornati: 0, invariati: 15." in out.getvalue()
    assert "piani senza disponibilità" not in out.getvalue()
