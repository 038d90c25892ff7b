"""Faults on the identity platform's routes (discovery and token), armed through the control API
by route name, answered as Entra ID answers: msal sees what it would see on a bad day."""

import pytest
import requests

from partnercenter_sandbox.control_client import SandboxControlError
from partnercenter_sandbox.faults import FaultInjector

DISCOVERY = "/v2.0/.well-known/openid-configuration"
TOKEN = "/oauth2/v2.0/token"


def identity_call(pc_sandbox, method: str, path: str) -> requests.Response:
    tenant = pc_sandbox.config.tenant_id
    data = None
    if method == "POST":
        data = {
            "grant_type": "client_credentials",
            "client_id": pc_sandbox.config.client_id,
            "client_secret": pc_sandbox.config.client_secret,
            "scope": "https://api.partnercenter.microsoft.com/.default",
        }
    return requests.request(
        method,
        f"{pc_sandbox.base_url}/{tenant}{path}",
        data=data,
        verify=pc_sandbox.ca_bundle,
        timeout=5,
    )


def test_a_503_on_the_token_endpoint_answers_entra_ids_error_body_then_passes(pc_sandbox):
    pc_sandbox.control.inject_fault("status", status=503, route="token", count=1)

    refused = identity_call(pc_sandbox, "POST", TOKEN)
    granted = identity_call(pc_sandbox, "POST", TOKEN)

    assert refused.status_code == 503
    assert refused.json()["error"] == "temporarily_unavailable"
    assert refused.json()["error_codes"] == [90033]
    assert granted.status_code == 200
    assert "access_token" in granted.json()
    faults = [call["fault"] for call in pc_sandbox.control.calls(method="POST")]
    assert faults == ["status", ""]


def test_identity_rate_limiting_answers_429_with_retry_after_on_discovery_and_token(pc_sandbox):
    pc_sandbox.control.inject_fault("rate_limit", retry_after=7, route="identity", count=2)

    discovery = identity_call(pc_sandbox, "GET", DISCOVERY)
    token = identity_call(pc_sandbox, "POST", TOKEN)

    for answer in (discovery, token):
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "7"
        assert answer.json()["error"] == "temporarily_unavailable"
    assert identity_call(pc_sandbox, "GET", DISCOVERY).status_code == 200


def test_a_dropped_discovery_call_gets_no_answer(pc_sandbox):
    pc_sandbox.control.inject_fault("drop", route="openid_configuration", count=1)

    with pytest.raises(requests.ConnectionError):
        identity_call(pc_sandbox, "GET", DISCOVERY)

    [dropped] = pc_sandbox.control.calls(
        method="GET", path_prefix=f"/{pc_sandbox.config.tenant_id}"
    )
    assert (dropped["fault"], dropped["status"]) == ("drop", None)


def test_an_identity_fault_leaves_partner_centers_own_routes_alone(pc_sandbox):
    pc_sandbox.control.inject_fault("status", status=503, route="identity")
    token = requests.post(
        f"{pc_sandbox.base_url}/{pc_sandbox.config.tenant_id}{TOKEN}",
        data={"grant_type": "client_credentials"},
        verify=pc_sandbox.ca_bundle,
        timeout=5,
    )

    api = requests.get(
        f"{pc_sandbox.base_url}/v1/products",
        params={"country": "IT"},
        verify=pc_sandbox.ca_bundle,
        timeout=5,
    )

    assert token.status_code == 503
    assert api.status_code == 401  # no token: the API route ran, untouched by the fault


def test_a_fault_on_an_unknown_route_is_refused(pc_sandbox):
    with pytest.raises(SandboxControlError, match="unknown route"):
        pc_sandbox.control.inject_fault("status", route="tokens")

    assert pc_sandbox.control.faults() == []


def test_a_latency_range_draws_each_call_within_it():
    injector = FaultInjector()
    injector.seed(7)
    injector.add({"kind": "latency", "latency_ms": 0, "latency_max_ms": 200})

    latencies = [injector.fire("GET", "/v1/products")[0] for _ in range(200)]

    assert min(latencies) >= 0
    assert max(latencies) <= 200
    assert len(set(latencies)) > 50
