"""The catalog for country IT (catalog.json): products, SKUs, availabilities.

Each SKU has one availability whose id is drawn again at every reset, so a catalogItemId
(productId:skuId:availabilityId) kept from before goes stale, as Microsoft's do over time.
"""

from partnercenter_sandbox import demo
from partnercenter_sandbox.http import RequestContext, SandboxResponse, api_error, collection, link

TERM_DESCRIPTIONS = {
    ("P1M", "Monthly"): "One-Month commitment for monthly billing",
    ("P1Y", "Monthly"): "One-Year commitment for monthly billing",
    ("P1Y", "Annual"): "One-Year commitment for yearly billing",
    ("P3Y", "Annual"): "Three-Year commitment for yearly billing",
}


def _country(ctx: RequestContext) -> str:
    country = ctx.query("country").upper()
    if not country:
        raise api_error(400, 800002, "Invalid request input: country is required.")
    return country


def _product(ctx: RequestContext, product_id: str) -> dict:
    product = next((p for p in demo.catalog()["products"] if p["id"] == product_id), None)
    if product is None or _country(ctx) != demo.catalog()["country"]:
        raise api_error(404, 400013, "The parent product was not found.")
    return product


def products(ctx: RequestContext) -> SandboxResponse:
    country = _country(ctx)
    if ctx.query("targetView").lower() != "onlineservices":
        raise api_error(400, 800002, "Invalid request input: targetView is not supported.")
    items = [] if country != demo.catalog()["country"] else demo.catalog()["products"]
    return SandboxResponse(200, collection([product_json(p, country) for p in items]))


def product_json(product: dict, country: str) -> dict:
    return {
        "id": product["id"],
        "title": product["title"],
        "description": product["description"],
        "productType": {"id": "OnlineServices", "displayName": "OnlineServices"},
        "isMicrosoftProduct": True,
        "publisherName": "Microsoft Corporation",
        "links": {
            "skus": link(f"/products/{product['id']}/skus?country={country}"),
            "self": link(f"/products/{product['id']}?country={country}"),
        },
        "attributes": {"objectType": "Product"},
    }


def skus(ctx: RequestContext) -> SandboxResponse:
    product = _product(ctx, ctx.args["product_id"])
    return SandboxResponse(200, collection([sku_json(product, sku) for sku in product["skus"]]))


def sku_json(product: dict, sku: dict) -> dict:
    billing_cycles = sorted({billing.lower() for _, billing in sku["terms"]})
    uri = f"/products/{product['id']}/skus/{sku['id']}"
    return {
        "id": sku["id"],
        "productId": product["id"],
        "title": sku["title"],
        "description": sku["description"],
        "minimumQuantity": sku["minimumQuantity"],
        "maximumQuantity": sku["maximumQuantity"],
        "isTrial": False,
        "supportedBillingCycles": billing_cycles,
        "purchasePrerequisites": ["MicrosoftCloudAgreement"],
        "inventoryVariables": [],
        "provisioningVariables": [],
        "actions": ["Refund"],
        "dynamicAttributes": {
            "isMicrosoftProduct": True,
            "hasConstraints": True,
            "isAddon": sku["isAddon"],
            "prerequisiteSkus": sku["prerequisiteSkus"],
            "isSoftwareAssuranceApplicable": False,
            "provisioningId": sku["provisioningId"],
            "internal": False,
        },
        "links": {
            "availabilities": link(f"{uri}/availabilities?country=IT"),
            "self": link(f"{uri}?country=IT"),
        },
    }


def availabilities(ctx: RequestContext) -> SandboxResponse:
    product = _product(ctx, ctx.args["product_id"])
    sku = next((s for s in product["skus"] if s["id"] == ctx.args["sku_id"]), None)
    if sku is None:
        raise api_error(404, 400018, "The SKU was not found.")
    availability_id = ctx.store.availability_id(product["id"], sku["id"])
    return SandboxResponse(200, collection([availability_json(product, sku, availability_id)]))


def availability_json(product: dict, sku: dict, availability_id: str) -> dict:
    return {
        "id": availability_id,
        "productId": product["id"],
        "skuId": sku["id"],
        "catalogItemId": f"{product['id']}:{sku['id']}:{availability_id}",
        "defaultCurrency": demo.catalog()["currency"],
        "segment": "commercial",
        "country": demo.catalog()["country"],
        "isPurchasable": True,
        "isRenewable": True,
        "terms": [
            {
                "id": f"{duration}-{billing}".lower(),
                "duration": duration,
                "description": TERM_DESCRIPTIONS[(duration, billing)],
                "billingCycle": billing,
            }
            for duration, billing in sku["terms"]
        ],
        "links": {
            "self": link(
                f"/products/{product['id']}/skus/{sku['id']}/availabilities/{availability_id}"
                f"?country={demo.catalog()['country']}"
            )
        },
        "attributes": {"objectType": "Availability"},
    }
