"""The client replayed against the answers Microsoft published (published/exchanges.json).

Each exchange is served as Partner Center answered it; the client must read every one of them into
its resources or its typed errors, and must not take another agreement for the Microsoft Customer
Agreement or miss add-on lines nested under their base line.
"""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses

from partnercenter.client import PartnerCenterClient
from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterInvalidResponse,
    PartnerCenterNoCustomerAgreementTemplate,
    PartnerCenterNotFound,
    PartnerCenterRateLimited,
)
from partnercenter.resources import AgreementContact, CartLineRequest
from partnercenter.tests.helpers import (
    new_customer,
    new_request_id,
    order_get,
    relationship_request_url,
)
from partnercenter.transport import TokenKind

BASE_URL = "https://api.partnercenter.test"
CUSTOMER_ID = "4f8a2b1c-7d3e-4a5b-9c6d-0e1f2a3b4c5d"
CART_ID = "dbe2f8d4-f21d-43e2-9356-cff6387c4ba1"
ORDER_ID = "cd8b4fd6e1d5"
EXCHANGES = {
    exchange["name"]: exchange
    for exchange in json.loads(
        (Path(__file__).parent / "published" / "exchanges.json").read_text(encoding="utf-8")
    )["exchanges"]
}
CONTACT = AgreementContact(first_name="Anna", last_name="Verdi", email="anna.verdi@rossi.example")
LINE = CartLineRequest(
    catalog_item_id="CFQ7TTC0LCHC:0002:CFQ7TTC0K5DJ",
    quantity=5,
    term_duration="P1Y",
    billing_cycle="monthly",
    transaction_reseller_mpn_id="4847383",
)


class FixedTokens:
    def access_token(self, kind: TokenKind) -> str:
        return f"token-{kind.value}"


@pytest.fixture
def client():
    with PartnerCenterClient(
        base_url=BASE_URL, token_provider=FixedTokens(), connect_timeout=1, read_timeout=1
    ) as partner_center:
        yield partner_center


def serve(name: str) -> dict:
    exchange = EXCHANGES[name]
    responses.add(
        exchange["method"],
        BASE_URL + exchange["path"],
        status=exchange["status"],
        headers=exchange.get("headers") or {},
        body=b"" if exchange["body"] is None else json.dumps(exchange["body"]).encode(),
        content_type="application/json",
    )
    return exchange


# What the client makes of each published answer: (call, what it must read).
READINGS = {
    "domain_taken": (lambda c: c.is_domain_taken("rossispa"), lambda taken: taken is True),
    "domain_free": (lambda c: c.is_domain_taken("rossispa"), lambda taken: taken is False),
    "customer_create": (
        lambda c: c.create_customer(request_id=new_request_id(), new_customer=new_customer("x")),
        lambda created: (
            (
                created.id,
                created.admin_user_principal_name,
                created.admin_credentials.password,
                created.associated_partner_id,
            )
            == (
                CUSTOMER_ID,
                "admin@rossispa.onmicrosoft.com",
                "Kqv7!Tr3xPz",
                "3f2a6c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
            )
        ),
    ),
    "customer_search": (
        lambda c: c.find_customers_by_domain("rossispa.onmicrosoft.com"),
        lambda found: (
            [(f.id, f.domain, f.company_name) for f in found]
            == [(CUSTOMER_ID, "rossispa.onmicrosoft.com", "Rossi S.p.A.")]
        ),
    ),
    "relationship_request": (
        lambda c: relationship_request_url(c),
        lambda url: url.startswith("https://admin.microsoft.com/Adminportal/Home?invType="),
    ),
    "reseller_list": (
        lambda c: c.list_indirect_resellers(),
        lambda resellers: (
            [(r.mpn_id, r.is_active, r.location) for r in resellers] == [("4847383", True, "US")]
        ),
    ),
    "agreement_status_signed": (
        lambda c: c.get_agreement_status("4847383"),
        lambda status: status.is_agreement_signed is True,
    ),
    "mca_templates": (
        lambda c: c.get_customer_agreement_template(),
        lambda template: (
            (template.template_id, template.agreement_type)
            == ("117a77b0-9360-443b-8795-c6dedc750cf9", "MicrosoftCustomerAgreement")
        ),
    ),
    "mca_accept": (
        lambda c: c.accept_customer_agreement(
            request_id=new_request_id(),
            customer_id=CUSTOMER_ID,
            template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
            contact=CONTACT,
            date_agreed=datetime(2025, 6, 14, tzinfo=UTC),
        ),
        lambda agreement: agreement.was_already_accepted is False,
    ),
    "mca_already_accepted": (
        lambda c: c.accept_customer_agreement(
            request_id=new_request_id(),
            customer_id=CUSTOMER_ID,
            template_id="117a77b0-9360-443b-8795-c6dedc750cf9",
            contact=CONTACT,
            date_agreed=datetime(2025, 6, 14, tzinfo=UTC),
        ),
        lambda agreement: agreement.was_already_accepted is True,
    ),
    "products": (
        lambda c: c.list_products(),
        lambda products: (
            [(p.id, p.title) for p in products]
            == [("CFQ7TTC0LH18", "Microsoft 365 Business Basic")]
        ),
    ),
    "skus": (
        lambda c: c.list_skus("CFQ7TTC0LH18"),
        lambda skus: (
            [(s.id, s.maximum_quantity, s.is_addon, s.provisioning_id) for s in skus]
            == [("0001", 300, False, "3b555118-da6a-4418-894f-7df1e2096870")]
        ),
    ),
    "availabilities": (
        lambda c: c.list_availabilities("CFQ7TTC0LH18", "0001"),
        lambda found: (
            [a.catalog_item_id for a in found] == ["CFQ7TTC0LH18:0001:CFQ7TTC0K971"]
            and found[0].offers(term_duration="P1Y", billing_cycle="monthly")
        ),
    ),
    "cart_create": (
        lambda c: c.create_cart(request_id=new_request_id(), customer_id=CUSTOMER_ID, lines=[LINE]),
        lambda cart: (
            [(line.id, line.error.code) for line in cart.line_errors] == [(1, "QuotaNotAvailable")]
        ),
    ),
    "checkout": (
        lambda c: c.checkout_cart(
            request_id=new_request_id(), customer_id=CUSTOMER_ID, cart_id=CART_ID
        ),
        lambda result: (
            (
                [(order.id, order.status) for order in result.orders],
                [(error.order_group_id, error.code) for error in result.order_errors],
            )
            == ([(ORDER_ID, "pending")], [("1", "800005")])
        ),
    ),
    "order_completed": (
        lambda c: order_get(c, CUSTOMER_ID, ORDER_ID),
        lambda order: (
            order.is_completed
            and order.line_items[0].subscription_id == "a4c1340d-6911-4758-bba3-0c4c6007d161"
        ),
    ),
    "subscriptions_by_order": (
        lambda c: c.list_subscriptions_by_order(CUSTOMER_ID, ORDER_ID),
        lambda found: (
            [(s.is_active, s.quantity, s.order_id) for s in found] == [(True, 10, ORDER_ID)]
        ),
    ),
}
# Answers that are refusals: the typed error and what it carries.
REFUSALS = {
    "agreement_status_unsigned": (
        lambda c: c.get_agreement_status("4847383"),
        PartnerCenterBusinessError,
        lambda error: (
            (error.http_status, error.code, error.source) == (400, "2203", "ComplianceController")
        ),
    ),
    "order_not_found_yet": (
        lambda c: order_get(c, CUSTOMER_ID, ORDER_ID),
        PartnerCenterNotFound,
        lambda error: error.code == "20000",
    ),
    "throttled": (
        lambda c: order_get(c, CUSTOMER_ID, ORDER_ID),
        PartnerCenterRateLimited,
        lambda error: error.retry_after == 57,
    ),
    "no_commerce_relationship": (
        lambda c: c.create_cart(request_id=new_request_id(), customer_id=CUSTOMER_ID, lines=[LINE]),
        PartnerCenterBusinessError,
        lambda error: (error.http_status, error.code) == (403, "20002"),
    ),
    "cloud_agreement_templates": (
        lambda c: c.get_customer_agreement_template(),
        PartnerCenterNoCustomerAgreementTemplate,
        lambda error: error.agreement_types_found == ("MicrosoftCloudAgreement",),
    ),
}


def test_every_published_exchange_has_its_reading():
    assert set(READINGS) | set(REFUSALS) | {"cart_with_addons"} == set(EXCHANGES)


@pytest.mark.parametrize("name", sorted(READINGS))
@responses.activate
def test_the_client_reads_the_published_answer(client, name):
    serve(name)
    call, is_read = READINGS[name]

    assert is_read(call(client))


@pytest.mark.parametrize("name", sorted(REFUSALS))
@responses.activate
def test_the_client_turns_the_published_refusal_into_its_typed_error(client, name):
    serve(name)
    call, error_class, carries = REFUSALS[name]

    with pytest.raises(error_class) as raised:
        call(client)

    assert carries(raised.value)


@responses.activate
def test_an_answer_holding_only_the_cloud_agreement_is_refused_not_taken_for_the_mca(client):
    # Given Partner Center answering the legacy Microsoft Cloud Agreement only
    serve("cloud_agreement_templates")

    # When the client looks for the Microsoft Customer Agreement
    with pytest.raises(PartnerCenterNoCustomerAgreementTemplate) as raised:
        client.get_customer_agreement_template()

    # Then it refuses clearly, as an unusable answer (provisioning fails the order, staff see why)
    assert isinstance(raised.value, PartnerCenterInvalidResponse)
    assert "MicrosoftCustomerAgreement" in raised.value.message
    assert "MicrosoftCloudAgreement" in raised.value.message


@responses.activate
def test_the_mca_is_chosen_by_its_type_wherever_it_is_in_the_answer(client):
    cloud = EXCHANGES["cloud_agreement_templates"]["body"]["items"][0]
    customer = EXCHANGES["mca_templates"]["body"]["items"][0]
    responses.get(
        f"{BASE_URL}/v1/agreements",
        json={
            "totalCount": 2,
            "items": [cloud, customer],
            "attributes": {"objectType": "Collection"},
        },
    )

    template = client.get_customer_agreement_template()

    assert (template.template_id, template.agreement_type) == (
        customer["templateId"],
        "MicrosoftCustomerAgreement",
    )


@responses.activate
def test_add_on_lines_nested_under_their_base_line_are_read(client):
    serve("cart_with_addons")

    cart = client.create_cart(request_id=new_request_id(), customer_id=CUSTOMER_ID, lines=[LINE])

    (base,) = cart.lines
    assert [(addon.id, addon.quantity) for addon in base.addon_items] == [(1, 2), (2, 3)]
    assert [line.id for line in cart.all_lines] == [0, 1, 2]
    assert [(line.id, line.error.code) for line in cart.line_errors] == [
        (2, "BaseOfferSeatQuantityNotMet")
    ]


@responses.activate
def test_the_published_error_body_gives_its_name_retryability_and_parameters(client):
    responses.post(
        f"{BASE_URL}/v1/customers/{CUSTOMER_ID}/carts",
        status=400,
        json={
            "code": 800002,
            "message": "Invalid request input: quantity.",
            "errorName": "InvalidInput",
            "isRetryable": False,
            "parameters": {"field": "quantity"},
        },
    )

    with pytest.raises(PartnerCenterBusinessError) as raised:
        client.create_cart(request_id=new_request_id(), customer_id=CUSTOMER_ID, lines=[LINE])

    error = raised.value
    assert (error.code, error.description, error.error_name) == (
        "800002",
        "Invalid request input: quantity.",
        "InvalidInput",
    )
    assert (error.is_retryable, error.parameters) == (False, {"field": "quantity"})
