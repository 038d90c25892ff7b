"""A small client of the sandbox's control API, for tests, benchmarks and scripts."""

import requests


class SandboxControlError(Exception):
    pass


class SandboxControl:
    def __init__(self, base_url: str, *, ca_bundle: str = "", timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._session = requests.Session()
        self._verify = ca_bundle or True  # per request: REQUESTS_CA_BUNDLE overrides a session's
        self._timeout = timeout

    def _call(self, method: str, path: str, body: dict | None = None, params=None):
        response = self._session.request(
            method,
            f"{self.base_url}/_sandbox/{path}",
            json=body,
            params=params,
            verify=self._verify,
            timeout=self._timeout,
        )
        if response.status_code >= 400:
            raise SandboxControlError(
                f"{method} /_sandbox/{path}: {response.status_code} {response.text}"
            )
        return response.json()

    def close(self) -> None:
        self._session.close()

    # --- State -----------------------------------------------------------------------------

    def reset(
        self,
        *,
        demo: bool = True,
        seed: int | None = None,
        delays: dict | None = None,
        demo_subscriptions: bool = False,
    ) -> dict:
        """Back to the demo set (or empty), no faults, empty call log, new catalog ids, the
        business clock on wall time; ``demo_subscriptions`` loads Contoso's (README.md)."""
        body = {"demo": demo, "seed": seed, "delays": delays or {}}
        return self._call("POST", "reset", {**body, "demo_subscriptions": demo_subscriptions})

    def state(self) -> dict:
        return self._call("GET", "state")

    def add_tenant(self, domain: str, **fields) -> dict:
        """Add or change a tenant: company_name, relationship_accepted, reseller_tenant_id,
        has_customer_agreement; id for a new tenant (else a random one)."""
        return self._call("POST", "tenants", {"domain": domain, **fields})

    def set_reseller(self, mpn_id: str, **fields) -> dict:
        """Add or change an indirect reseller: name, tenant_id, location, relationship_state
        ("Active", "Inactive", "" = not in the list), agreement ("signed", "unsigned",
        "region_mismatch", "not_indirect_reseller")."""
        return self._call("POST", "resellers", {"mpn_id": mpn_id, **fields})

    def accept_invitation(self, domain: str, *, partner_id: str = "") -> dict:
        """The customer's admin accepts the reseller relationship (``partner_id``: the reseller's
        tenant id, recorded as the customer's associated partner)."""
        return self._call(
            "POST", "relationships/accept", {"domain": domain, "partner_id": partner_id}
        )

    def set_delays(self, **delays: float) -> dict:
        """order_completion_seconds, subscription_activation_seconds, order_not_found_seconds,
        token_lifetime_seconds."""
        return self._call("POST", "delays", delays)

    def set_agreement_types(self, *types: str) -> dict:
        """The agreement types GET /v1/agreements offers: MicrosoftCustomerAgreement,
        MicrosoftCloudAgreement (both after a reset); none at all when called with none."""
        return self._call("POST", "agreements", {"types": list(types)})

    def rotate_catalog(self) -> dict:
        """New availability ids: catalogItemIds fetched before now are stale."""
        return self._call("POST", "catalog/rotate")

    # --- Faults ----------------------------------------------------------------------------

    def inject_fault(self, kind: str, **spec) -> dict:
        """Arm a fault (faults.py): kind is latency, status, rate_limit, drop or
        drop_after_commit; spec: method, path_prefix, path_regex, route (a route name such as
        "customer_create", "token", "openid_configuration", or "identity" for both of the
        identity platform's), status, retry_after, latency_ms, latency_max_ms, probability,
        count."""
        return self._call("POST", "faults", {"kind": kind, **spec})

    def faults(self) -> list[dict]:
        return self._call("GET", "faults")

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    # --- Observations ------------------------------------------------------------------------

    def calls(self, *, method: str = "", path_prefix: str = "") -> list[dict]:
        """Received calls, oldest first: method, path, query, ms_request_id, status, fault,
        replayed, grant_type."""
        return self._call("GET", "calls", params={"method": method, "path_prefix": path_prefix})

    def clear_calls(self) -> None:
        self._call("DELETE", "calls")

    def token_requests(self, grant_type: str = "") -> int:
        calls = self.calls(method="POST")
        return sum(
            1
            for call in calls
            if call["path"].endswith("/oauth2/v2.0/token")
            and (not grant_type or call["grant_type"] == grant_type)
        )

    def duplicates(self) -> dict:
        """Customers, orders and subscriptions created twice for the same logical request."""
        return self._call("GET", "duplicates")

    # --- Subscriptions and the business clock ------------------------------------------------

    def clock(self) -> dict:
        """Business time: ``{"now": ISO 8601, "offset_seconds"}``."""
        return self._call("GET", "clock")

    def advance_clock(self, duration: str) -> dict:
        """Move business time forward by an ISO 8601 duration (``P8D``, ``PT36H``)."""
        return self._call("POST", "clock", {"advance": duration})

    def set_subscription_options(self, **options) -> dict:
        """patch_mode ("200" or "202"), patch_completion_reads (for 202: the change shows on
        that many GETs of the subscription later), schedule_removal ("null" or "empty_object":
        which body removes a renewal plan)."""
        return self._call("POST", "subscriptions/options", options)

    def subscription_changes(self) -> list[dict]:
        """Every change a PATCH made: subscription_id, ms_request_id, changes, from_quantity."""
        return self._call("GET", "subscriptions/changes")

    # --- Transitions (upgrades) ----------------------------------------------------------------

    def set_transition_options(self, **options) -> dict:
        """addon_rule ("incompatible", "any", "none"), eligibility_casing ("camel", "pascal"),
        transition_completion_reads (GETs of the transitions that complete one), outcome
        ("completed", "failed")."""
        return self._call("POST", "transitions/options", options)

    def transitions(self) -> list[dict]:
        """Every transition posted: operation_id, from/to subscription and offer, quantity,
        status, events."""
        return self._call("GET", "transitions")
