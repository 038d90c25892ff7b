"""The sandbox's documented demo set (README.md): tenants, indirect resellers, catalog."""

import functools
import json
from pathlib import Path

CATALOG_FILE = Path(__file__).with_name("catalog.json")

# The distributor's own MPN ID: never valid as a reseller's partner of record (2072).
DISTRIBUTOR_MPN_ID = "7654321"
DEMO_RESELLER_MPN_ID = "1234567"
DEMO_RESELLER_TENANT_ID = "3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
CONTOSO_TENANT_ID = "b7e3c1d2-4a5f-4e6b-8c9d-0e1f2a3b4c5d"
FABRIKAM_TENANT_ID = "c8f4d2e3-5b6a-4f7c-9d0e-1f2a3b4c5d6e"
MCA_TEMPLATE_ID = "117a77b0-9360-443b-8795-c6dedc750cf9"
# The legacy Microsoft Cloud Agreement: what GET /v1/agreements answers without agreementType.
CLOUD_AGREEMENT_TEMPLATE_ID = "998b88de-aa99-4388-a42c-1b3517d49490"

# relationship_state: "Active"/"Inactive" in the distributor's reseller list, "" not in it.
# agreement: the answer of the MPA agreement status call.
DEMO_RESELLERS = (
    {
        "mpn_id": DEMO_RESELLER_MPN_ID,
        "name": "Rivenditore Demo S.r.l.",
        "tenant_id": DEMO_RESELLER_TENANT_ID,
        "location": "IT",
        "relationship_state": "Active",
        "agreement": "signed",
    },
    {
        "mpn_id": "2345678",
        "name": "Rivenditore Sospeso S.r.l.",
        "tenant_id": "4a3b7d2f-6c8e-4f9a-8b1c-2d3e4f5a6b7c",
        "location": "IT",
        "relationship_state": "Inactive",
        "agreement": "signed",
    },
    {
        "mpn_id": "3456789",
        "name": "Rivenditore Senza MPA S.r.l.",
        "tenant_id": "5b4c8e3a-7d9f-4a0b-9c2d-3e4f5a6b7c8d",
        "location": "IT",
        "relationship_state": "Active",
        "agreement": "unsigned",
    },
    {
        "mpn_id": "5678901",
        "name": "Overseas Reseller Inc.",
        "tenant_id": "6c5d9f4b-8e0a-4b1c-8d3e-4f5a6b7c8d9e",
        "location": "US",
        "relationship_state": "Active",
        "agreement": "region_mismatch",
    },
    {
        "mpn_id": "4567890",
        "name": "Partner Non Collegato S.p.A.",
        "tenant_id": "7d6e0a5c-9f1b-4c2d-9e4f-5a6b7c8d9e0f",
        "location": "IT",
        "relationship_state": "",
        "agreement": "not_indirect_reseller",
    },
)

DEMO_TENANTS = (
    {
        "id": CONTOSO_TENANT_ID,
        "domain": "contosoitalia.onmicrosoft.com",
        "company_name": "Contoso Italia S.p.A.",
        "relationship_accepted": True,
        "reseller_tenant_id": DEMO_RESELLER_TENANT_ID,
        "created_via_api": False,
        "has_customer_agreement": True,
    },
    {
        "id": FABRIKAM_TENANT_ID,
        "domain": "fabrikamsrl.onmicrosoft.com",
        "company_name": "Fabrikam S.r.l.",
        "relationship_accepted": False,
        "reseller_tenant_id": "",
        "created_via_api": False,
        "has_customer_agreement": False,
    },
)


@functools.cache
def catalog() -> dict:
    """catalog.json: {"country", "currency", "products": [{"id", ..., "skus": [...]}]}."""
    return json.loads(CATALOG_FILE.read_text(encoding="utf-8"))


def find_sku(product_id: str, sku_id: str) -> tuple[dict, dict] | None:
    for product in catalog()["products"]:
        if product["id"] == product_id:
            for sku in product["skus"]:
                if sku["id"] == sku_id:
                    return product, sku
    return None


# Contoso's subscriptions bought before the storefront existed (loaded by `make run`'s sandbox,
# not by the tests' resets): the sync lists them for staff as "in Partner Center, never sold here".
DEMO_SUBSCRIPTION_IDS = (
    "5e0c1d2a-3b4c-4d5e-8f6a-7b8c9d0e1f2a",
    "6f1d2e3b-4c5d-4e6f-9a7b-8c9d0e1f2a3b",
)


def demo_subscriptions() -> list[dict]:
    import time

    started = time.time() - 40 * 24 * 3600  # a month and more ago: the window is closed
    common = {
        "customer_id": CONTOSO_TENANT_ID,
        "order_id": "demo-order-contoso",
        "created_at": 0,
        "term_started_at": started,
        "business_created_at": started,
        "status": "active",
        "auto_renew": True,
        "version": 1,
        "parent_id": "",
        "pending_patch": None,
        "buckets": [],
        "term_duration": "P1Y",
        "billing_cycle": "monthly",
    }
    return [
        {
            **common,
            "id": DEMO_SUBSCRIPTION_IDS[0],
            "entitlement_id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d",
            "offer_id": "CFQ7TTC0LH16:0001",
            "offer_name": "Exchange Online (Plan 1)",
            "quantity": 10,
            "partner_id": DEMO_RESELLER_MPN_ID,
        },
        {
            **common,
            "id": DEMO_SUBSCRIPTION_IDS[1],
            "entitlement_id": "1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e",
            "offer_id": "CFQ7TTC0LH18:0001",
            "offer_name": "Microsoft 365 Business Basic",
            "quantity": 4,
            "partner_id": "2345678",  # another reseller's: never listed for the demo reseller
        },
    ]
