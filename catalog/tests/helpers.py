"""Plain helpers of the price-list import tests: a file in Microsoft's format, the catalog as
rows."""

import io

from catalog.models import Plan, Price, Product, Sku
from catalog.pricelist.importer import pricelist_import_stream
from catalog.pricelist.writer import HEADER

ROW = {
    "ProductTitle": "Microsoft 365 Business Standard",
    "ProductId": "CFQ7TTC0LDPB",
    "SkuId": "0001",
    "SkuTitle": "Microsoft 365 Business Standard",
    "Publisher": "Microsoft Corporation",
    "SkuDescription": "Desktop apps, email and Teams",
    "UnitOfMeasure": "1 License",
    "TermDuration": "P1Y",
    "BillingPlan": "Annual",
    "Market": "IT",
    "Currency": "EUR",
    "UnitPrice": "127.64",
    "PricingTierRangeMin": "0",
    "PricingTierRangeMax": "",
    "EffectiveStartDate": "11/1/2026 12:00:00 AM",
    "EffectiveEndDate": "12/31/9999 11:59:59 PM",
    "Tags": "",
    "ERP Price": "153.17",
}


def csv_file(*rows: dict, header=HEADER, bom: bool = False) -> io.StringIO:
    """A price list in Microsoft's format; each row overrides ROW's values."""
    lines = []
    for values in ({name: name for name in header}, *({**ROW, **row} for row in rows)):
        lines.append(",".join(_quoted(values.get(name, "")) for name in header))
    return io.StringIO(("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n")


def _quoted(value: str) -> str:
    return f'"{value}"' if "," in value else value


def import_rows(*rows: dict, header=HEADER, **options):
    return pricelist_import_stream(stream=csv_file(*rows, header=header), **options)


def catalog_snapshot() -> dict:
    return {
        "products": sorted(Product.objects.values_list("product_id", "title", "family")),
        "skus": sorted(
            Sku.objects.values_list("product__product_id", "sku_id", "title", "description")
        ),
        "plans": sorted(
            Plan.objects.values_list("sku__product__product_id", "term", "billing", "is_active")
        ),
        "prices": sorted(
            Price.objects.values_list(
                "plan__sku__product__product_id",
                "plan__term",
                "plan__billing",
                "effective_start",
                "effective_end",
                "cost_price",
                "erp_price",
            )
        ),
    }
