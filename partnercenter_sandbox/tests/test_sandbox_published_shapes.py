"""The sandbox answers in the shapes Partner Center published (published/exchanges.json): error
bodies, collections and products with their links, agreement templates by type, agreement status
by tenant id."""

import json
from pathlib import Path

import pytest
import requests

from partnercenter.errors import PartnerCenterBusinessError
from partnercenter.tests.helpers import token_provider_for
from partnercenter.transport import TokenKind
from partnercenter_sandbox import demo

EXCHANGES = {
    exchange["name"]: exchange
    for exchange in json.loads(
        (
            Path(__file__).parents[2] / "partnercenter" / "tests" / "published" / "exchanges.json"
        ).read_text(encoding="utf-8")
    )["exchanges"]
}
UNSIGNED_RESELLER_TENANT_ID = "5b4c8e3a-7d9f-4a0b-9c2d-3e4f5a6b7c8d"  # MPN 3456789


@pytest.fixture
def call(pc_sandbox):
    token = token_provider_for(pc_sandbox).access_token(TokenKind.APP_USER)

    def send(method: str, path: str, **kwargs) -> requests.Response:
        return requests.request(
            method,
            pc_sandbox.base_url + path,
            headers={"Authorization": f"Bearer {token}"},
            verify=pc_sandbox.ca_bundle,
            timeout=5,
            **kwargs,
        )

    return send


def test_error_bodies_have_every_field_of_the_published_error(call, pc_sandbox):
    published = EXCHANGES["mca_already_accepted"]["body"]

    refused = call("POST", f"/v1/customers/{demo.FABRIKAM_TENANT_ID}/carts", json={})

    body = refused.json()
    assert refused.status_code == 403
    assert set(published) <= set(body)
    assert {key: body[key] for key in ("code", "errorName", "isRetryable", "source")} == {
        "code": 20002,
        "errorName": "NoCommerceRelationship",
        "isRetryable": False,
        "source": "PartnerFD",
    }
    assert body["message"] == body["description"]
    assert body["parameters"] == {
        "partnerId": pc_sandbox.config.tenant_id,
        "customerId": demo.FABRIKAM_TENANT_ID,
    }


def test_accepting_the_mca_again_answers_the_published_600061(call):
    agreement = {
        "primaryContact": {"firstName": "A", "lastName": "B", "email": "a@b.example"},
        "templateId": demo.MCA_TEMPLATE_ID,
        "dateAgreed": "2026-11-24T00:00:00Z",
        "type": "MicrosoftCustomerAgreement",
    }

    refused = call("POST", f"/v1/customers/{demo.CONTOSO_TENANT_ID}/agreements", json=agreement)

    published = EXCHANGES["mca_already_accepted"]
    assert refused.status_code == published["status"]
    body = refused.json()
    assert {key: body[key] for key in published["body"]} == published["body"]


def test_an_injected_server_error_says_it_is_retryable(call, pc_sandbox):
    pc_sandbox.control.inject_fault("status", method="GET", path_prefix="/v1/products", status=503)

    answer = call("GET", "/v1/products?country=IT&targetView=OnlineServices")

    assert answer.status_code == 503
    assert (answer.json()["isRetryable"], answer.json()["errorName"]) == (
        True,
        "ServiceUnavailable",
    )


@pytest.mark.parametrize(
    "path",
    [
        "/v1/products?country=IT&targetView=OnlineServices",
        "/v1/products/CFQ7TTC0LH18/skus?country=IT",
        "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf",
        "/v1/agreements?agreementType=MicrosoftCustomerAgreement",
        f"/v1/customers/{demo.CONTOSO_TENANT_ID}/subscriptions",
    ],
)
def test_collections_carry_their_self_link(call, path):
    published = EXCHANGES["products"]["body"]

    body = call("GET", path).json()

    assert set(published) <= set(body)
    assert body["links"] == {
        "self": {"uri": path.removeprefix("/v1"), "method": "GET", "headers": []}
    }


def test_products_carry_their_skus_and_self_links_like_the_published_ones(call):
    published = EXCHANGES["products"]["body"]["items"][0]

    body = call("GET", "/v1/products?country=IT&targetView=OnlineServices").json()

    product = next(item for item in body["items"] if item["id"] == "CFQ7TTC0LH18")
    assert set(published) <= set(product)
    assert product["links"] == {
        "skus": {"uri": "/products/CFQ7TTC0LH18/skus?country=IT", "method": "GET", "headers": []},
        "self": {"uri": "/products/CFQ7TTC0LH18?country=IT", "method": "GET", "headers": []},
    }


def test_agreement_templates_follow_the_requested_type(call, pc_client):
    default = call("GET", "/v1/agreements").json()
    every = call("GET", "/v1/agreements?agreementType=*").json()

    assert [item["agreementType"] for item in default["items"]] == ["MicrosoftCloudAgreement"]
    assert sorted(item["agreementType"] for item in every["items"]) == [
        "MicrosoftCloudAgreement",
        "MicrosoftCustomerAgreement",
    ]
    assert pc_client.get_customer_agreement_template().template_id == demo.MCA_TEMPLATE_ID


def test_agreement_status_answers_by_tenant_id(pc_client):
    signed = pc_client.get_agreement_status(tenant_id=demo.DEMO_RESELLER_TENANT_ID)
    with pytest.raises(PartnerCenterBusinessError) as unsigned:
        pc_client.get_agreement_status(tenant_id=UNSIGNED_RESELLER_TENANT_ID)
    with pytest.raises(PartnerCenterBusinessError) as unknown:
        pc_client.get_agreement_status(tenant_id="00000000-0000-4000-8000-000000000000")

    assert (signed.tenant_id, signed.is_agreement_signed) == (demo.DEMO_RESELLER_TENANT_ID, True)
    assert (unsigned.value.code, unsigned.value.error_name) == (
        "2206",
        "TenantHasNotSignedMicrosoftPartnerAgreement",
    )
    assert unsigned.value.parameters == {"tenantId": UNSIGNED_RESELLER_TENANT_ID}
    assert (unknown.value.http_status, unknown.value.code) == (400, "2205")


def test_agreement_status_takes_exactly_one_of_mpn_id_and_tenant_id(call):
    both = call(
        "GET",
        "/v1/compliance/csp/agreementstatus",
        params={"mpnId": demo.DEMO_RESELLER_MPN_ID, "tenantId": demo.DEMO_RESELLER_TENANT_ID},
    )
    neither = call("GET", "/v1/compliance/csp/agreementstatus")

    assert (both.status_code, both.json()["code"]) == (400, 800002)
    assert (neither.status_code, neither.json()["code"]) == (400, 2001)
