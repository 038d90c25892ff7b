"""Acceptance 2: a POST repeated with the same MS-RequestId returns the first result and creates
nothing new (the sandbox's duplicate counters stay at zero)."""

import pytest

from partnercenter.errors import PartnerCenterBusinessError
from partnercenter.tests.helpers import cart_line, new_customer, new_request_id

NO_DUPLICATES = {"customers": 0, "carts": 0, "orders": 0, "subscriptions": 0}
BUSINESS_BASIC = ("CFQ7TTC0LH18", "0001")


def test_repeated_customer_creation_returns_the_first_tenant_and_its_credentials(
    pc_client, pc_sandbox
):
    request_id = new_request_id()
    tenants_before = len(pc_sandbox.control.state()["tenants"])

    first = pc_client.create_customer(request_id=request_id, new_customer=new_customer("unavolta"))
    repeated = pc_client.create_customer(
        request_id=request_id, new_customer=new_customer("unavolta")
    )

    assert repeated == first
    assert repeated.admin_credentials.password == first.admin_credentials.password
    assert len(pc_sandbox.control.state()["tenants"]) == tenants_before + 1
    assert pc_sandbox.control.duplicates() == NO_DUPLICATES
    (replayed,) = [call for call in pc_sandbox.control.calls() if call["replayed"]]
    assert replayed["ms_request_id"] == request_id


def test_repeated_cart_creation_returns_the_first_cart(pc_client, pc_sandbox, contoso_id):
    request_id = new_request_id()
    lines = [cart_line(pc_client, *BUSINESS_BASIC)]

    first = pc_client.create_cart(request_id=request_id, customer_id=contoso_id, lines=lines)
    repeated = pc_client.create_cart(request_id=request_id, customer_id=contoso_id, lines=lines)

    assert repeated == first
    assert pc_sandbox.control.state()["counts"]["cart"] == 1


def test_repeated_checkout_returns_the_first_orders(pc_client, pc_sandbox, contoso_id):
    cart = pc_client.create_cart(
        request_id=new_request_id(),
        customer_id=contoso_id,
        lines=[cart_line(pc_client, *BUSINESS_BASIC)],
    )
    request_id = new_request_id()

    first = pc_client.checkout_cart(request_id=request_id, customer_id=contoso_id, cart_id=cart.id)
    repeated = pc_client.checkout_cart(
        request_id=request_id, customer_id=contoso_id, cart_id=cart.id
    )

    assert [order.id for order in repeated.orders] == [order.id for order in first.orders]
    assert pc_sandbox.control.state()["counts"] == {"cart": 1, "order": 1, "subscription": 1}
    assert pc_sandbox.control.duplicates() == NO_DUPLICATES


def test_a_new_request_id_for_a_tenant_already_created_is_refused_and_counted(
    pc_client, pc_sandbox
):
    # The counter the fault suites watch: a client that lost its MS-RequestId shows up here.
    pc_client.create_customer(request_id=new_request_id(), new_customer=new_customer("persa"))

    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.create_customer(request_id=new_request_id(), new_customer=new_customer("persa"))

    assert (raised.value.http_status, raised.value.code) == (409, "2000")
    assert pc_sandbox.control.duplicates() == {
        "customers": 1,
        "carts": 0,
        "orders": 0,
        "subscriptions": 0,
    }


def test_the_same_purchase_checked_out_from_a_second_cart_is_counted_as_duplicate(
    pc_client, pc_sandbox, contoso_id
):
    for _ in range(2):
        cart = pc_client.create_cart(
            request_id=new_request_id(),
            customer_id=contoso_id,
            lines=[cart_line(pc_client, *BUSINESS_BASIC, quantity=2)],
        )
        pc_client.checkout_cart(
            request_id=new_request_id(), customer_id=contoso_id, cart_id=cart.id
        )

    assert pc_sandbox.control.duplicates() == {
        "customers": 0,
        "carts": 0,
        "orders": 1,
        "subscriptions": 1,
    }


def test_a_cart_left_behind_beside_an_equal_cart_that_was_ordered_is_counted_as_duplicate(
    pc_client, pc_sandbox, contoso_id
):
    # The client lost the first cart's answer and its MS-RequestId, made another and ordered it.
    lines = [cart_line(pc_client, *BUSINESS_BASIC, quantity=3)]
    pc_client.create_cart(request_id=new_request_id(), customer_id=contoso_id, lines=lines)
    ordered = pc_client.create_cart(
        request_id=new_request_id(), customer_id=contoso_id, lines=lines
    )
    assert pc_sandbox.control.duplicates()["carts"] == 0  # nothing ordered yet

    pc_client.checkout_cart(request_id=new_request_id(), customer_id=contoso_id, cart_id=ordered.id)

    assert pc_sandbox.control.duplicates() == {
        "customers": 0,
        "carts": 1,
        "orders": 0,
        "subscriptions": 0,
    }
