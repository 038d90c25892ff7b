"""Acceptance 3: with the sandbox injecting faults, the client raises the right typed error,
and says whether a POST's outcome is unknown (reuse the MS-RequestId) or definitely not done."""

import socket

import pytest

from partnercenter.client import PartnerCenterClient
from partnercenter.errors import (
    PartnerCenterOutcomeUnknown,
    PartnerCenterRateLimited,
    PartnerCenterUnavailable,
)
from partnercenter.tests.helpers import (
    client_for,
    new_customer,
    new_request_id,
    token_provider_for,
)

CUSTOMERS = "/v1/customers"


def tenant_count(pc_sandbox) -> int:
    return len(pc_sandbox.control.state()["tenants"])


def test_rate_limited_call_raises_with_retry_after_and_does_nothing(pc_client, pc_sandbox):
    pc_sandbox.control.inject_fault(
        "rate_limit", method="POST", path_prefix=CUSTOMERS, retry_after=1, count=1
    )
    tenants_before = tenant_count(pc_sandbox)

    with pytest.raises(PartnerCenterRateLimited) as raised:
        pc_client.create_customer(request_id=new_request_id(), new_customer=new_customer("lenta"))

    assert (raised.value.http_status, raised.value.retry_after) == (429, 1)
    assert raised.value.outcome_unknown is False
    assert tenant_count(pc_sandbox) == tenants_before


def test_service_unavailable_raises_unavailable_with_a_known_outcome(pc_client, pc_sandbox):
    pc_sandbox.control.inject_fault("status", method="POST", path_prefix=CUSTOMERS, status=503)
    tenants_before = tenant_count(pc_sandbox)

    with pytest.raises(PartnerCenterUnavailable) as raised:
        pc_client.create_customer(request_id=new_request_id(), new_customer=new_customer("giu"))

    assert not isinstance(raised.value, PartnerCenterOutcomeUnknown)
    assert (raised.value.http_status, raised.value.outcome_unknown) == (503, False)
    assert tenant_count(pc_sandbox) == tenants_before


def test_dropped_connection_leaves_the_outcome_unknown(pc_client, pc_sandbox):
    pc_sandbox.control.inject_fault("drop", method="POST", path_prefix=CUSTOMERS, count=1)
    tenants_before = tenant_count(pc_sandbox)

    with pytest.raises(PartnerCenterOutcomeUnknown) as raised:
        pc_client.create_customer(request_id=new_request_id(), new_customer=new_customer("caduta"))

    assert (raised.value.http_status, raised.value.outcome_unknown) == (None, True)
    assert tenant_count(pc_sandbox) == tenants_before
    (dropped,) = pc_sandbox.control.calls(method="POST", path_prefix=CUSTOMERS)
    assert (dropped["fault"], dropped["status"]) == ("drop", None)


def test_response_lost_after_commit_then_retry_with_the_same_request_id_gets_the_tenant(
    pc_client, pc_sandbox
):
    # Given Partner Center creates the tenant but the answer never arrives
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_prefix=CUSTOMERS, count=1
    )
    request_id = new_request_id()
    tenants_before = tenant_count(pc_sandbox)

    with pytest.raises(PartnerCenterOutcomeUnknown) as raised:
        pc_client.create_customer(request_id=request_id, new_customer=new_customer("persaqui"))
    assert raised.value.ms_request_id == request_id
    assert tenant_count(pc_sandbox) == tenants_before + 1

    # When the caller retries with the same MS-RequestId, as the outcome is unknown
    created = pc_client.create_customer(
        request_id=request_id, new_customer=new_customer("persaqui")
    )

    # Then it gets the tenant created the first time, with its credentials, and no second one
    assert created.domain == "persaqui.onmicrosoft.com"
    assert created.admin_credentials is not None
    assert tenant_count(pc_sandbox) == tenants_before + 1
    assert pc_sandbox.control.duplicates() == {
        "customers": 0,
        "carts": 0,
        "orders": 0,
        "subscriptions": 0,
    }


def test_answer_slower_than_the_read_timeout_leaves_the_outcome_unknown(pc_sandbox):
    pc_sandbox.control.inject_fault("latency", path_prefix="/v1/domains", latency_ms=600)

    with (
        client_for(pc_sandbox, read_timeout=0.2) as client,
        pytest.raises(PartnerCenterOutcomeUnknown),
    ):
        client.is_domain_taken("contosoitalia")


def test_nothing_listening_is_unavailable_and_definitely_not_done(pc_sandbox):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    client = PartnerCenterClient(
        base_url=f"https://127.0.0.1:{closed_port}",
        token_provider=token_provider_for(pc_sandbox),
        connect_timeout=1.0,
        read_timeout=1.0,
        ca_bundle=pc_sandbox.ca_bundle,
    )

    with pytest.raises(PartnerCenterUnavailable) as raised:
        client.create_customer(request_id=new_request_id(), new_customer=new_customer("mai"))

    assert raised.value.outcome_unknown is False


def test_fault_for_the_next_calls_only_then_calls_succeed(pc_client, pc_sandbox):
    pc_sandbox.control.inject_fault(
        "status", method="GET", path_prefix="/v1/relationships", count=2
    )

    for _ in range(2):
        with pytest.raises(PartnerCenterUnavailable):
            pc_client.list_indirect_resellers()

    assert len(pc_client.list_indirect_resellers()) == 4
    assert [
        call["fault"] for call in pc_sandbox.control.calls(path_prefix="/v1/relationships")
    ] == [
        "status",
        "status",
        "",
    ]


def test_fault_with_probability_zero_never_fires(pc_client, pc_sandbox):
    pc_sandbox.control.inject_fault("status", path_regex=r"^/v1/domains/", probability=0.0)

    assert pc_client.is_domain_taken("contosoitalia") is True
