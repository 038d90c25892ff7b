"""The sandbox's state: JSON documents by kind and key in its own SQLite database.

One lock guards every access: the HTTP server is threaded, and holding the lock for a whole
request also makes each call atomic, as Partner Center's own writes are for one request.
"""

import json
import secrets
import sqlite3
import string
import threading

from partnercenter_sandbox import demo

DEFAULT_DELAYS = {
    # A new order is "pending" this long, then "completed"; its subscriptions likewise.
    "order_completion_seconds": 5.0,
    "subscription_activation_seconds": 5.0,
    # GET of a just placed order answers 404 code 20000 this long.
    "order_not_found_seconds": 2.0,
    "token_lifetime_seconds": 3600.0,
}
DUPLICATE_KINDS = ("customers", "carts", "orders", "subscriptions")
# Where Microsoft's behaviour is unconfirmed the sandbox can play either candidate (README.md).
DEFAULT_SUBSCRIPTION_OPTIONS = {
    # "200": a PATCH answers with the changed subscription; "202": Location, and the change
    # shows on the n-th GET of that subscription (a count, not a time: tests never sleep).
    "patch_mode": "200",
    "patch_completion_reads": 2,
    # How a renewal plan is removed (scheduledNextTermInstructions): "null" or "empty_object".
    "schedule_removal": "null",
}
# Transitions (handlers/transitions.py): which add-ons block an upgrade ("incompatible": those
# the target cannot carry; "any": every add-on; "none"), the casing of subscriptionEligibilities
# ("camel" or "pascal"), how many reads of GET transitions complete one, and its outcome.
DEFAULT_TRANSITION_OPTIONS = {
    "addon_rule": "incompatible",
    "eligibility_casing": "camel",
    "transition_completion_reads": 2,
    "outcome": "completed",
}
TRANSITION_OPTION_VALUES = {
    "addon_rule": ("incompatible", "any", "none"),
    "eligibility_casing": ("camel", "pascal"),
    "outcome": ("completed", "failed"),
}

AGREEMENT_TYPES = ("MicrosoftCustomerAgreement", "MicrosoftCloudAgreement")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS document (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""


class SandboxStore:
    def __init__(self, database_path: str) -> None:
        self.lock = threading.RLock()
        self._db = sqlite3.connect(database_path, check_same_thread=False)
        self._db.execute(_SCHEMA)
        self._db.commit()

    # --- Documents --------------------------------------------------------------------------

    def get(self, kind: str, key: str) -> dict | None:
        row = self._db.execute(
            "SELECT data FROM document WHERE kind = ? AND key = ?", (kind, key)
        ).fetchone()
        return json.loads(row[0]) if row else None

    def put(self, kind: str, key: str, data: dict) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO document (kind, key, data) VALUES (?, ?, ?)",
            (kind, key, json.dumps(data)),
        )

    def all(self, kind: str) -> list[dict]:
        rows = self._db.execute(
            "SELECT data FROM document WHERE kind = ? ORDER BY rowid", (kind,)
        ).fetchall()
        return [json.loads(row[0]) for row in rows]

    def commit(self) -> None:
        self._db.commit()

    def rollback(self) -> None:
        self._db.rollback()

    def is_empty(self) -> bool:
        return self._db.execute("SELECT COUNT(*) FROM document").fetchone()[0] == 0

    # --- Settings and counters ----------------------------------------------------------

    def setting(self, name: str):
        document = self.get("setting", name)
        return document["value"] if document else None

    def set_setting(self, name: str, value) -> None:
        self.put("setting", name, {"value": value})

    def delays(self) -> dict:
        return {**DEFAULT_DELAYS, **(self.setting("delays") or {})}

    def subscription_options(self) -> dict:
        return {**DEFAULT_SUBSCRIPTION_OPTIONS, **(self.setting("subscription_options") or {})}

    def agreement_types_offered(self) -> list[str]:
        """The agreement types GET /v1/agreements answers (/_sandbox/agreements): both unless a
        test withdraws one, as Partner Center does for a partner not enabled for the MCA."""
        offered = self.setting("agreement_types")
        return list(AGREEMENT_TYPES) if offered is None else offered

    def transition_options(self) -> dict:
        return {**DEFAULT_TRANSITION_OPTIONS, **(self.setting("transition_options") or {})}

    def clock_offset(self) -> float:
        """Seconds the business clock runs ahead of the wall clock (/_sandbox/clock)."""
        return float(self.setting("clock_offset_seconds") or 0)

    def count_duplicate(self, kind: str, by: int = 1) -> None:
        counts = dict(self.setting("duplicates") or {})
        counts[kind] = counts.get(kind, 0) + by  # "changes" appears with its first duplicate
        self.set_setting("duplicates", counts)

    def duplicates(self) -> dict:
        counted = self.setting("duplicates") or {}
        return dict.fromkeys(DUPLICATE_KINDS, 0) | counted | {"carts": self._orphan_carts()}

    def _orphan_carts(self) -> int:
        """Carts never checked out beside an equal cart of the same customer that was: the client
        lost the first answer and created another under a new MS-RequestId, which it ordered."""
        groups: dict[tuple, list[bool]] = {}
        for cart in self.all("cart"):
            if cart.get("signature"):
                key = (cart["customer_id"], tuple(cart["signature"]))
                groups.setdefault(key, []).append(cart["checkout"] is not None)
        return sum(checked_out.count(False) for checked_out in groups.values() if any(checked_out))

    # --- Reset --------------------------------------------------------------------------

    def reset(self, *, with_demo_set: bool = True, with_demo_subscriptions: bool = False) -> None:
        """Forget everything; load the demo set; new availability ids (catalog ids change).

        The demo subscriptions (README.md) are loaded on request only: tests count what they buy.
        """
        self._db.execute("DELETE FROM document")
        self.rotate_availability_ids()
        if with_demo_set:
            for reseller in demo.DEMO_RESELLERS:
                self.put("reseller", reseller["mpn_id"], dict(reseller))
            for tenant in demo.DEMO_TENANTS:
                self.put("tenant", tenant["id"], {**tenant, "created_at": 0})
        if with_demo_set and with_demo_subscriptions:
            for subscription in demo.demo_subscriptions():
                self.put("subscription", subscription["id"], subscription)
        self.commit()

    # --- Lookups ------------------------------------------------------------------------

    def tenant_by_domain(self, domain: str) -> dict | None:
        domain = domain.lower()
        return next((t for t in self.all("tenant") if t["domain"] == domain), None)

    def reseller_by_tenant_id(self, tenant_id: str) -> dict | None:
        tenant_id = tenant_id.lower()
        return next((r for r in self.all("reseller") if r["tenant_id"] == tenant_id), None)

    def rotate_availability_ids(self) -> None:
        """New availability ids for every SKU: catalogItemIds fetched before go stale."""
        self.set_setting("availability_ids", _new_availability_ids())

    def availability_id(self, product_id: str, sku_id: str) -> str:
        return (self.setting("availability_ids") or {}).get(f"{product_id}:{sku_id}", "")


def _new_availability_ids() -> dict:
    alphabet = string.ascii_uppercase + string.digits
    ids = {}
    for product in demo.catalog()["products"]:
        for sku in product["skus"]:
            suffix = "".join(secrets.choice(alphabet) for _ in range(4))
            ids[f"{product['id']}:{sku['id']}"] = f"CFQ7TTC0{suffix}"
    return ids
