"""Contract tests, against the running sandbox: carts, checkout, orders, subscriptions."""

import time

import pytest

from partnercenter.errors import PartnerCenterBusinessError, PartnerCenterNotFound
from partnercenter.tests.helpers import cart_line, new_request_id, order_get
from partnercenter_sandbox import demo

BUSINESS_BASIC = ("CFQ7TTC0LH18", "0001")
EXCHANGE_ARCHIVING = ("CFQ7TTC0LH0Z", "0001")  # add-on of Basic, Standard, Exchange Plan 1


def buy(client, customer_id, *lines):
    cart = client.create_cart(request_id=new_request_id(), customer_id=customer_id, lines=lines)
    return cart, client.checkout_cart(
        request_id=new_request_id(), customer_id=customer_id, cart_id=cart.id
    )


def test_cart_groups_lines_by_term_and_billing_cycle(pc_client, contoso_id):
    cart = pc_client.create_cart(
        request_id=new_request_id(),
        customer_id=contoso_id,
        lines=[
            cart_line(pc_client, *BUSINESS_BASIC, term="P1Y", billing="monthly"),
            cart_line(pc_client, *EXCHANGE_ARCHIVING, term="P1Y", billing="monthly"),
            cart_line(pc_client, *BUSINESS_BASIC, term="P1M", billing="monthly"),
        ],
    )

    assert cart.status == "Active"
    assert cart.line_errors == ()
    assert [(line.id, line.quantity, line.order_group) for line in cart.lines] == [
        (0, 5, "0"),
        (1, 5, "0"),
        (2, 5, "1"),
    ]


def test_cart_line_with_a_stale_catalog_item_id_comes_back_with_an_error(
    pc_client, pc_sandbox, contoso_id
):
    # Given a catalogItemId fetched before the catalog changed
    stale_line = cart_line(pc_client, *BUSINESS_BASIC)
    pc_sandbox.control.rotate_catalog()

    cart = pc_client.create_cart(
        request_id=new_request_id(), customer_id=contoso_id, lines=[stale_line]
    )

    (line,) = cart.line_errors
    assert line.error.code == "catalog_item_id_is_not_valid"
    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.checkout_cart(
            request_id=new_request_id(), customer_id=contoso_id, cart_id=cart.id
        )
    assert raised.value.code == "800009"
    assert pc_sandbox.control.state()["counts"]["order"] == 0


def test_cart_line_of_an_addon_without_its_base_product_comes_back_with_an_error(
    pc_client, contoso_id
):
    cart = pc_client.create_cart(
        request_id=new_request_id(),
        customer_id=contoso_id,
        lines=[cart_line(pc_client, *EXCHANGE_ARCHIVING)],
    )

    (line,) = cart.line_errors
    assert line.error.code == "unable_to_process_cart_line_item"
    assert "CFQ7TTC0LH18:0001" in line.error.description


def test_cart_line_with_a_term_the_sku_does_not_offer_comes_back_with_an_error(
    pc_client, contoso_id
):
    cart = pc_client.create_cart(
        request_id=new_request_id(),
        customer_id=contoso_id,
        lines=[cart_line(pc_client, "CFQ7TTC0LH16", "0001", term="P3Y", billing="annual")],
    )

    (line,) = cart.line_errors
    assert line.error.code == "invalid_input"


def test_cart_for_a_tenant_without_relationship_is_refused_with_20002(pc_client, pc_sandbox):
    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.create_cart(
            request_id=new_request_id(),
            customer_id=demo.FABRIKAM_TENANT_ID,
            lines=[cart_line(pc_client, *BUSINESS_BASIC)],
        )

    assert (raised.value.http_status, raised.value.code) == (403, "20002")
    assert pc_sandbox.control.state()["counts"]["cart"] == 0


def test_checkout_places_an_order_with_one_subscription_per_line(pc_client, contoso_id):
    _, result = buy(
        pc_client,
        contoso_id,
        cart_line(pc_client, *BUSINESS_BASIC, quantity=5),
        cart_line(pc_client, *EXCHANGE_ARCHIVING, quantity=3),
    )

    assert result.order_errors == ()
    (order,) = result.orders
    assert order.customer_id == contoso_id
    assert [(item.offer_id.rsplit(":", 1)[0], item.quantity) for item in order.line_items] == [
        ("CFQ7TTC0LH18:0001", 5),
        ("CFQ7TTC0LH0Z:0001", 3),
    ]
    assert all(item.subscription_id for item in order.line_items)
    assert {item.partner_id_on_record for item in order.line_items} == {"1234567"}


def test_checkout_fails_one_order_group_and_places_the_other(pc_client, contoso_id):
    _, result = buy(
        pc_client,
        contoso_id,
        cart_line(pc_client, *BUSINESS_BASIC, term="P1Y", mpn_id="1234567"),
        cart_line(pc_client, *BUSINESS_BASIC, term="P1M", mpn_id="2345678"),
    )

    assert [order.line_items[0].term_duration for order in result.orders] == ["P1Y"]
    assert [(error.order_group_id, error.code) for error in result.order_errors] == [
        ("1", "900154")
    ]


@pytest.mark.parametrize(
    ("mpn_id", "code"),
    [
        ("9999999", "3000"),  # no such MPN profile
        (demo.DISTRIBUTOR_MPN_ID, "2072"),  # the distributor cannot be the partner of record
        ("2345678", "900154"),  # inactive reseller
        ("3456789", "900154"),  # MPA not signed
        ("4567890", "900154"),  # not an indirect reseller of the distributor
    ],
)
def test_checkout_with_a_bad_transaction_reseller_places_nothing(
    pc_client, pc_sandbox, contoso_id, mpn_id, code
):
    _, result = buy(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, mpn_id=mpn_id))

    assert result.orders == ()
    assert [(error.order_group_id, error.code) for error in result.order_errors] == [("0", code)]
    assert pc_sandbox.control.state()["counts"]["subscription"] == 0


def test_checkout_over_the_seat_cap_is_refused_with_800088(pc_client, pc_sandbox, contoso_id):
    # Given Contoso already has 250 seats of Business Basic (at most 300)
    buy(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=250))

    _, result = buy(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=51))

    assert result.orders == ()
    (error,) = result.order_errors
    assert error.code == "800088"
    assert "remaining limit of 50 seats" in error.description
    assert pc_sandbox.control.state()["counts"]["subscription"] == 1


def test_checkout_without_the_customer_agreement_is_refused_with_13605(pc_client, pc_sandbox):
    pc_sandbox.control.accept_invitation("fabrikamsrl.onmicrosoft.com")
    cart = pc_client.create_cart(
        request_id=new_request_id(),
        customer_id=demo.FABRIKAM_TENANT_ID,
        lines=[cart_line(pc_client, *BUSINESS_BASIC)],
    )

    with pytest.raises(PartnerCenterBusinessError) as raised:
        pc_client.checkout_cart(
            request_id=new_request_id(), customer_id=demo.FABRIKAM_TENANT_ID, cart_id=cart.id
        )

    assert (raised.value.http_status, raised.value.code) == (403, "13605")
    assert pc_sandbox.control.state()["counts"]["order"] == 0


def test_checkout_of_an_already_ordered_cart_repeats_the_first_result(
    pc_client, pc_sandbox, contoso_id
):
    cart, first = buy(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))

    again = pc_client.checkout_cart(
        request_id=new_request_id(), customer_id=contoso_id, cart_id=cart.id
    )

    assert [order.id for order in again.orders] == [order.id for order in first.orders]
    assert pc_sandbox.control.state()["counts"]["order"] == 1
    assert pc_sandbox.control.duplicates() == {
        "customers": 0,
        "carts": 0,
        "orders": 0,
        "subscriptions": 0,
    }


def test_order_is_not_found_then_pending_then_completed(pc_client, pc_sandbox, contoso_id):
    pc_sandbox.control.set_delays(order_not_found_seconds=0.4, order_completion_seconds=1.0)
    _, result = buy(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))
    order_id = result.orders[0].id
    assert result.orders[0].status == "pending"

    with pytest.raises(PartnerCenterNotFound) as raised:
        order_get(pc_client, contoso_id, order_id)
    assert raised.value.code == "20000"

    time.sleep(0.45)
    assert order_get(pc_client, contoso_id, order_id).status == "pending"
    time.sleep(0.6)
    order = order_get(pc_client, contoso_id, order_id)
    assert (order.id, order.status, order.is_completed) == (order_id, "completed", True)


def test_subscriptions_of_an_order_turn_from_pending_to_active(pc_client, pc_sandbox, contoso_id):
    pc_sandbox.control.set_delays(subscription_activation_seconds=0.4)
    _, result = buy(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC, quantity=7))
    order = result.orders[0]

    (pending,) = pc_client.list_subscriptions_by_order(contoso_id, order.id)
    time.sleep(0.45)
    (active,) = pc_client.list_subscriptions_by_order(contoso_id, order.id)

    assert pending.status == "pending"
    assert (active.id, active.status, active.is_active) == (
        order.line_items[0].subscription_id,
        "active",
        True,
    )
    assert (active.offer_id, active.quantity, active.term_duration, active.billing_cycle) == (
        "CFQ7TTC0LH18:0001",
        7,
        "P1Y",
        "monthly",
    )
    assert (active.order_id, active.partner_id) == (order.id, "1234567")


def test_subscriptions_of_an_order_not_visible_yet_are_none(pc_client, pc_sandbox, contoso_id):
    pc_sandbox.control.set_delays(order_not_found_seconds=30)
    _, result = buy(pc_client, contoso_id, cart_line(pc_client, *BUSINESS_BASIC))

    assert pc_client.list_subscriptions_by_order(contoso_id, result.orders[0].id) == ()
