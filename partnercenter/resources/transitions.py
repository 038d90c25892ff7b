"""Upgrades of NCE subscriptions: transition eligibilities and transitions (Partner Center REST
reference: TransitionEligibility, Transition, TransitionEvent)."""

from dataclasses import dataclass

# The SDK's TransitionErrorCode of an add-on that blocks the upgrade.
ADDONS_PRESENT_CODE = "6"


def _key(data: dict, name: str, default=None):
    """The casing of some blocks is unconfirmed (subscriptionEligibilities): read any."""
    return next((value for key, value in data.items() if key.lower() == name.lower()), default)


@dataclass(frozen=True)
class TransitionError:
    code: str
    description: str

    @classmethod
    def from_json(cls, data: dict) -> "TransitionError":
        return cls(code=str(_key(data, "code", "")), description=str(_key(data, "description", "")))


@dataclass(frozen=True)
class TargetSubscription:
    """An existing subscription that can receive the upgraded seats."""

    subscription_id: str
    friendly_name: str
    term_duration: str
    billing_cycle: str
    is_eligible: bool

    @classmethod
    def from_json(cls, data: dict) -> "TargetSubscription":
        return cls(
            subscription_id=str(_key(data, "subscriptionId")),
            friendly_name=str(_key(data, "subscriptionFriendlyName", "") or ""),
            term_duration=str(_key(data, "subscriptionTermDuration", "") or ""),
            billing_cycle=str(_key(data, "subscriptionBillingCycle", "") or ""),
            is_eligible=bool(_key(data, "isEligible", False)),
        )


@dataclass(frozen=True)
class TransitionEligibility:
    """One target offer: eligible or not (with the errors), and the existing subscriptions of it
    that may receive the seats (immediate eligibilities only)."""

    catalog_item_id: str
    title: str
    is_eligible: bool
    errors: tuple[TransitionError, ...]
    target_subscriptions: tuple[TargetSubscription, ...]

    @property
    def offer_id(self) -> str:
        """product:sku of the catalogItemId (its availability changes)."""
        return ":".join(self.catalog_item_id.split(":")[:2])

    @property
    def availability_id(self) -> str:
        """The availability part of the catalogItemId (a renewal plan names it)."""
        parts = self.catalog_item_id.split(":")
        return parts[2] if len(parts) > 2 else ""

    @classmethod
    def from_json(cls, data: dict) -> "TransitionEligibility":
        eligibilities = data["eligibilities"]
        errors = tuple(
            TransitionError.from_json(error)
            for eligibility in eligibilities
            for error in (_key(eligibility, "errors") or ())
        )
        return cls(
            catalog_item_id=str(data["catalogItemId"]),
            title=str(data.get("title") or ""),
            is_eligible=any(bool(_key(e, "isEligible", False)) for e in eligibilities),
            errors=errors,
            target_subscriptions=tuple(
                TargetSubscription.from_json(item)
                for item in (_key(data, "subscriptionEligibilities") or ())
            ),
        )


@dataclass(frozen=True)
class TransitionEvent:
    name: str
    status: str

    @classmethod
    def from_json(cls, data: dict) -> "TransitionEvent":
        return cls(name=str(data.get("name") or ""), status=str(data.get("status") or ""))


@dataclass(frozen=True)
class Transition:
    """A transition and its events; ``status`` Completed or Failed once over."""

    operation_id: str
    from_subscription_id: str
    to_catalog_item_id: str
    to_subscription_id: str
    quantity: int
    status: str
    events: tuple[TransitionEvent, ...]

    @property
    def is_completed(self) -> bool:
        return self.status.lower() == "completed" or (
            not self.status
            and any(e.status.lower() == "completed" for e in self.events)
            and not self.is_failed
        )

    @property
    def is_failed(self) -> bool:
        return self.status.lower() == "failed" or any(
            event.status.lower() == "failed" for event in self.events
        )

    @classmethod
    def from_json(cls, data: dict) -> "Transition":
        return cls(
            operation_id=str(data["operationId"]),
            from_subscription_id=str(data.get("fromSubscriptionId") or ""),
            to_catalog_item_id=str(data.get("toCatalogItemId") or ""),
            to_subscription_id=str(data.get("toSubscriptionId") or ""),
            quantity=int(data.get("quantity") or 0),
            status=str(data.get("status") or ""),
            events=tuple(TransitionEvent.from_json(e) for e in data.get("events") or ()),
        )
