"""Client unit tests with faked HTTP (responses): headers, error mapping, the call record."""

import json
import uuid
from datetime import UTC, datetime

import pytest
import requests
import responses
from urllib3.exceptions import NewConnectionError

from partnercenter.client import PartnerCenterClient
from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterInvalidResponse,
    PartnerCenterNotFound,
    PartnerCenterOutcomeUnknown,
    PartnerCenterRateLimited,
    PartnerCenterUnauthorized,
    PartnerCenterUnavailable,
)
from partnercenter.resources import AgreementContact
from partnercenter.tests.helpers import new_customer, new_request_id
from partnercenter.transport import TokenKind

BASE_URL = "https://api.partnercenter.test"
RESELLERS_URL = f"{BASE_URL}/v1/relationships"
CUSTOMERS_URL = f"{BASE_URL}/v1/customers"


class FixedTokens:
    def __init__(self) -> None:
        self.kinds: list[TokenKind] = []

    def access_token(self, kind: TokenKind) -> str:
        self.kinds.append(kind)
        return f"token-{kind.value}"


@pytest.fixture
def tokens():
    return FixedTokens()


@pytest.fixture
def records():
    return []


@pytest.fixture
def client(tokens, records):
    with PartnerCenterClient(
        base_url=BASE_URL,
        token_provider=tokens,
        connect_timeout=1.5,
        read_timeout=7.0,
        on_call=records.append,
    ) as partner_center:
        yield partner_center


def error_body(code, description="refused"):
    return {"code": code, "description": description, "data": ["x"], "source": "PartnerFD"}


@responses.activate
def test_headers_of_a_post_carry_the_callers_request_id_and_a_new_correlation_id(client, tokens):
    responses.post(CUSTOMERS_URL, status=201, json={"id": "c1", "companyProfile": {"domain": "x"}})
    request_id = new_request_id()

    client.create_customer(request_id=request_id, new_customer=new_customer("x"))
    client.create_customer(request_id=request_id, new_customer=new_customer("x"))

    first, second = (call.request for call in responses.calls)
    assert first.headers["MS-RequestId"] == second.headers["MS-RequestId"] == request_id
    assert first.headers["MS-CorrelationId"] != second.headers["MS-CorrelationId"]
    assert uuid.UUID(first.headers["MS-CorrelationId"])
    assert first.headers["Authorization"] == "Bearer token-app_user"
    assert (first.headers["Accept"], first.headers["X-Locale"]) == ("application/json", "it-IT")
    assert json.loads(first.body)["AssociatedPartnerId"] == "3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
    assert responses.calls[0].request.req_kwargs["timeout"] == (1.5, 7.0)
    assert tokens.kinds == [TokenKind.APP_USER, TokenKind.APP_USER]


@responses.activate
def test_a_get_gets_a_fresh_request_id_and_an_app_only_token_for_the_catalog(client, tokens):
    responses.get(f"{BASE_URL}/v1/products", json={"items": []})

    client.list_products()
    client.list_products()

    first, second = (call.request.headers["MS-RequestId"] for call in responses.calls)
    assert first != second
    assert tokens.kinds == [TokenKind.APP, TokenKind.APP]


def test_a_post_without_request_id_is_a_programming_error(client):
    with pytest.raises(ValueError, match="MS-RequestId"):
        client._transport.request(
            operation="x", method="POST", path="/v1/customers", token_kind=TokenKind.APP
        )


@responses.activate
def test_429_reads_retry_after_from_the_header(client):
    responses.get(RESELLERS_URL, status=429, headers={"Retry-After": "7"}, json={})

    with pytest.raises(PartnerCenterRateLimited) as raised:
        client.list_indirect_resellers()

    assert raised.value.retry_after == 7


@responses.activate
def test_429_without_header_reads_the_seconds_from_its_own_body_shape(client):
    body = {"statusCode": 429, "message": "Rate limit is exceeded. Try again in 3 seconds."}
    responses.get(RESELLERS_URL, status=429, json=body)

    with pytest.raises(PartnerCenterRateLimited) as raised:
        client.list_indirect_resellers()

    assert raised.value.retry_after == 3


@responses.activate
def test_429_without_any_hint_waits_the_default(client):
    responses.get(RESELLERS_URL, status=429, body="Too Many Requests")

    with pytest.raises(PartnerCenterRateLimited) as raised:
        client.list_indirect_resellers()

    assert raised.value.retry_after == 5


@responses.activate
def test_business_error_keeps_code_description_data_and_source(client, records):
    responses.post(CUSTOMERS_URL, status=400, json=error_body(2000, "Domain in use."))

    with pytest.raises(PartnerCenterBusinessError) as raised:
        client.create_customer(request_id=new_request_id(), new_customer=new_customer("x"))

    error = raised.value
    assert (error.http_status, error.code, error.description) == (400, "2000", "Domain in use.")
    assert (error.data, error.source, error.outcome_unknown) == (("x",), "PartnerFD", False)
    assert (records[0].status, records[0].error_code) == (400, "2000")
    assert records[0].error_class == "PartnerCenterBusinessError"


@pytest.mark.parametrize(
    ("status", "body", "error_class"),
    [
        (401, {}, PartnerCenterUnauthorized),
        (403, {}, PartnerCenterUnauthorized),
        (403, error_body(2032), PartnerCenterUnauthorized),
        (403, error_body(20002), PartnerCenterBusinessError),
        (409, error_body(600061), PartnerCenterBusinessError),
        (404, error_body(20000), PartnerCenterNotFound),
    ],
)
@responses.activate
def test_status_and_code_decide_the_error_class(client, status, body, error_class):
    responses.get(RESELLERS_URL, status=status, json=body)

    with pytest.raises(error_class) as raised:
        client.list_indirect_resellers()

    assert type(raised.value) is error_class
    assert raised.value.code == str(body.get("code", ""))


@pytest.mark.parametrize(
    ("status", "is_outcome_unknown"),
    [(500, True), (502, True), (504, True), (503, False)],
)
@responses.activate
def test_5xx_after_a_post_is_unavailable_and_unknown_unless_503(client, status, is_outcome_unknown):
    responses.post(CUSTOMERS_URL, status=status, body="")

    with pytest.raises(PartnerCenterUnavailable) as raised:
        client.create_customer(request_id=new_request_id(), new_customer=new_customer("x"))

    assert raised.value.outcome_unknown is is_outcome_unknown
    assert isinstance(raised.value, PartnerCenterOutcomeUnknown) is is_outcome_unknown


@pytest.mark.parametrize(
    ("exception", "is_outcome_unknown"),
    [
        (requests.ReadTimeout("read timed out"), True),
        (requests.ConnectionError("Connection aborted."), True),
        (requests.exceptions.ChunkedEncodingError("cut"), True),
        (requests.ConnectTimeout("connect timed out"), False),
        (requests.exceptions.SSLError("bad certificate"), False),
        (
            requests.ConnectionError(type("E", (), {"reason": NewConnectionError(None, "no")})()),
            False,
        ),
    ],
)
@responses.activate
def test_transport_failures_say_whether_the_post_may_have_been_done(
    client, records, exception, is_outcome_unknown
):
    responses.post(CUSTOMERS_URL, body=exception)

    with pytest.raises(PartnerCenterUnavailable) as raised:
        client.create_customer(request_id=new_request_id(), new_customer=new_customer("x"))

    assert raised.value.outcome_unknown is is_outcome_unknown
    assert not isinstance(raised.value.__cause__, PartnerCenterUnavailable)
    assert (records[0].status, records[0].error_class) == (None, type(raised.value).__name__)


@responses.activate
def test_malformed_json_of_a_get_is_an_invalid_response_with_known_outcome(client):
    responses.get(RESELLERS_URL, status=200, body="<html>oops</html>")

    with pytest.raises(PartnerCenterInvalidResponse) as raised:
        client.list_indirect_resellers()

    assert raised.value.outcome_unknown is False


@responses.activate
def test_malformed_json_of_a_post_leaves_its_outcome_unknown(client):
    responses.post(CUSTOMERS_URL, status=201, body="{not json")

    with pytest.raises(PartnerCenterInvalidResponse) as raised:
        client.create_customer(request_id=new_request_id(), new_customer=new_customer("x"))

    assert raised.value.outcome_unknown is True


@responses.activate
def test_json_without_the_documented_fields_is_an_invalid_response(client):
    responses.post(CUSTOMERS_URL, status=201, json={"unexpected": True})

    with pytest.raises(PartnerCenterInvalidResponse) as raised:
        client.create_customer(request_id=new_request_id(), new_customer=new_customer("x"))

    assert raised.value.outcome_unknown is True


@responses.activate
def test_call_record_hides_the_search_filter_and_never_the_outcome(client, records):
    responses.get(CUSTOMERS_URL, json={"items": []})

    client.find_customers_by_domain("mario-rossi-srl")

    (record,) = records
    assert record.path == "/v1/customers?size=10&filter=%E2%80%A6"
    assert "mario" not in repr(record)
    assert (record.operation, record.method, record.status) == ("customer_search", "GET", 200)
    assert record.ms_request_id == responses.calls[0].request.headers["MS-RequestId"]
    assert record.duration_ms >= 0


@responses.activate
def test_a_failing_recorder_does_not_fail_the_call(tokens):
    def broken_recorder(record):
        raise RuntimeError("log unavailable")

    responses.get(RESELLERS_URL, json={"items": []})
    client = PartnerCenterClient(
        base_url=BASE_URL,
        token_provider=tokens,
        connect_timeout=1,
        read_timeout=1,
        on_call=broken_recorder,
    )

    assert client.list_indirect_resellers() == ()


@responses.activate
def test_mca_acceptance_treats_only_600061_as_done(client):
    responses.post(f"{CUSTOMERS_URL}/c1/agreements", status=409, json=error_body(600061))
    responses.post(f"{CUSTOMERS_URL}/c2/agreements", status=409, json=error_body(600060))
    contact = AgreementContact("Anna", "Verdi", "anna@cliente.it")
    arguments = {"template_id": "t", "contact": contact, "date_agreed": datetime.now(UTC)}

    accepted = client.accept_customer_agreement(
        request_id=new_request_id(), customer_id="c1", **arguments
    )
    with pytest.raises(PartnerCenterBusinessError):
        client.accept_customer_agreement(request_id=new_request_id(), customer_id="c2", **arguments)

    assert accepted.was_already_accepted is True


def test_a_missing_ca_bundle_is_a_typed_error_and_nothing_is_sent(tokens, tmp_path):
    missing_bundle = str(tmp_path / "no-such-ca.pem")
    with (
        PartnerCenterClient(
            base_url=BASE_URL,
            token_provider=tokens,
            connect_timeout=1.5,
            read_timeout=7.0,
            ca_bundle=missing_bundle,
        ) as partner_center,
        pytest.raises(PartnerCenterUnavailable) as error,
    ):
        partner_center.list_indirect_resellers()
    assert error.value.outcome_unknown is False
    assert "TLS set-up failed" in str(error.value)
