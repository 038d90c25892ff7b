"""The catalog: products, SKUs and their availabilities."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Product:
    id: str
    title: str
    description: str

    @classmethod
    def from_json(cls, data: dict) -> "Product":
        return cls(
            id=data["id"], title=data.get("title", ""), description=data.get("description", "")
        )


@dataclass(frozen=True)
class Sku:
    product_id: str
    id: str
    title: str
    description: str
    minimum_quantity: int
    maximum_quantity: int
    is_addon: bool
    prerequisite_skus: tuple[str, ...]  # "productId:skuId" of the base SKUs an add-on needs
    provisioning_id: str
    supported_billing_cycles: tuple[str, ...]

    @classmethod
    def from_json(cls, data: dict) -> "Sku":
        attributes = data.get("dynamicAttributes") or {}
        return cls(
            product_id=data["productId"],
            id=data["id"],
            title=data.get("title", ""),
            description=data.get("description", ""),
            minimum_quantity=int(data.get("minimumQuantity", 1)),
            maximum_quantity=int(data.get("maximumQuantity", 1)),
            is_addon=bool(attributes.get("isAddon", False)),
            prerequisite_skus=tuple(attributes.get("prerequisiteSkus") or ()),
            provisioning_id=attributes.get("provisioningId") or "",
            supported_billing_cycles=tuple(data.get("supportedBillingCycles") or ()),
        )


@dataclass(frozen=True)
class Term:
    duration: str  # ISO 8601: P1M, P1Y, P3Y
    billing_cycle: str  # as Partner Center spells it in availabilities: "Monthly", "Annual"
    description: str


@dataclass(frozen=True)
class Availability:
    """What can be bought now; ``catalog_item_id`` changes over time: fetch it before a cart."""

    id: str
    product_id: str
    sku_id: str
    catalog_item_id: str
    terms: tuple[Term, ...]

    def offers(self, *, term_duration: str, billing_cycle: str) -> bool:
        return any(
            term.duration == term_duration and term.billing_cycle.lower() == billing_cycle.lower()
            for term in self.terms
        )

    @classmethod
    def from_json(cls, data: dict) -> "Availability":
        return cls(
            id=data["id"],
            product_id=data["productId"],
            sku_id=data["skuId"],
            catalog_item_id=data["catalogItemId"],
            terms=tuple(
                Term(
                    duration=term["duration"],
                    billing_cycle=term.get("billingCycle", ""),
                    description=term.get("description", ""),
                )
                for term in data.get("terms") or ()
            ),
        )
