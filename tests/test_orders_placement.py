"""Placing an order: one transaction, a snapshot of the cart, one order per checkout, refusals
that leave nothing behind, and the provisioning task enqueued only after commit."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction
from kombu.exceptions import OperationalError

from checkout.models import Cart
from orders.errors import OrderPlacementError
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import order_place
from orders.tasks import order_provision_task
from orders.tests.factories import (
    checked_out_cart,
    contoso_customer,
    new_tenant_customer,
    order_user,
)
from tenants.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_placing_snapshots_the_cart_and_enqueues_provisioning_after_commit(
    django_capture_on_commit_callbacks,
):
    user = order_user()
    customer = new_tenant_customer(reseller=user.reseller)
    cart = checked_out_cart(user=user, quantity=5, addon_quantity=2)

    with django_capture_on_commit_callbacks() as callbacks:
        order = order_place(cart=cart, user=user, customer=customer, mpn_id="1234567")

    assert len(callbacks) == 1
    cart.refresh_from_db()
    assert cart.status == Cart.Status.ORDERED
    assert (order.status, order.reseller, order.user, order.customer) == (
        OrderStatus.PLACED,
        user.reseller,
        user,
        customer,
    )
    assert order.idempotency_key == cart.checkout_token
    assert order.terms_acceptance_id == cart.terms_acceptance_id
    assert (order.tenant_domain, order.is_new_tenant, order.mpn_id) == (
        "nuovaimpresa2026.onmicrosoft.com",
        True,
        "1234567",
    )
    assert order.purchase_type == "resale"
    assert (order.monthly_net, order.monthly_vat, order.annual_net) == (
        Decimal("64.50"),  # 140.40 × 5 / 12 + 36.00 × 2 / 12
        Decimal("14.19"),
        None,
    )
    base, addon = order.lines.order_by("position")
    assert (base.product_id, base.sku_id, base.product_title, base.term, base.billing) == (
        "CFQ7TTC0LDPB",
        "0001",
        "Microsoft 365 Business Standard",
        "P1Y",
        "monthly",
    )
    assert (base.unit_price, base.quantity, base.line_total) == (
        Decimal("140.40"),
        5,
        Decimal("58.50"),
    )
    assert (addon.base_line, addon.quantity, addon.unit_price) == (base, 2, Decimal("36.00"))
    assert order.estimated_usage_total == base.estimated_usage + addon.estimated_usage
    [event] = order.events.all()
    assert (event.to_status, event.actor, event.actor_user) == (
        OrderStatus.PLACED,
        "reseller",
        user,
    )


def test_placing_the_same_checkout_again_returns_the_same_order(
    django_capture_on_commit_callbacks,
):
    user = order_user()
    customer = contoso_customer(reseller=user.reseller)
    cart = checked_out_cart(user=user)
    first = order_place(cart=cart, user=user, customer=customer, mpn_id="1234567")

    with django_capture_on_commit_callbacks() as callbacks:
        again = order_place(cart=cart, user=user, customer=customer, mpn_id="1234567")

    assert again.pk == first.pk
    assert Order.objects.count() == 1
    assert callbacks == []
    assert first.is_new_tenant is False


def test_another_reseller_cannot_reach_an_order_through_its_checkout_token():
    user = order_user()
    cart = checked_out_cart(user=user)
    order_place(
        cart=cart,
        user=user,
        customer=new_tenant_customer(reseller=user.reseller),
        mpn_id="1234567",
    )
    intruder = order_user()

    with pytest.raises(OrderPlacementError) as refusal:
        order_place(
            cart=cart,
            user=intruder,
            customer=new_tenant_customer(reseller=intruder.reseller),
            mpn_id="1234567",
        )

    assert refusal.value.code == "cart_not_yours"
    assert Order.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_two_concurrent_submissions_of_one_checkout_place_one_order(monkeypatch):
    monkeypatch.setattr(order_provision_task, "delay", lambda order_id: None)
    user = order_user()
    customer = new_tenant_customer(reseller=user.reseller)
    cart = checked_out_cart(user=user)
    barrier = threading.Barrier(2)
    placed = []

    def submit():
        try:
            barrier.wait()
            placed.append(order_place(cart=cart, user=user, customer=customer, mpn_id="1234567"))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(placed) == 2
    assert placed[0].pk == placed[1].pk
    assert Order.objects.count() == 1
    assert OrderEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("problem", "code"),
    [
        ("checkout_not_started", "checkout_not_started"),
        ("terms_missing", "terms_missing"),
        ("empty", "cart_empty"),
        ("customer_of_another_reseller", "customer_not_yours"),
        ("cart_of_another_reseller", "cart_not_yours"),
        ("bad_mpn_id", "mpn_id_invalid"),
        ("price_changed", "prices_changed"),
    ],
)
def test_placing_is_refused_and_nothing_is_written(problem, code):
    user = order_user()
    customer = new_tenant_customer(reseller=user.reseller)
    cart = checked_out_cart(user=user)
    mpn_id = "1234567"
    if problem == "checkout_not_started":
        Cart.objects.filter(pk=cart.pk).update(checkout_started_at=None)
    elif problem == "terms_missing":
        Cart.objects.filter(pk=cart.pk).update(terms_acceptance=None, checkout_started_at=None)
    elif problem == "empty":
        cart.lines.all().delete()
    elif problem == "customer_of_another_reseller":
        customer = CustomerFactory()
    elif problem == "cart_of_another_reseller":
        user = order_user()
        customer = new_tenant_customer(reseller=user.reseller, prefix="altro")
    elif problem == "bad_mpn_id":
        mpn_id = "12ab"
    elif problem == "price_changed":
        cart.lines.update(unit_price_seen=Decimal("1.00"))
    cart.refresh_from_db()

    with pytest.raises(OrderPlacementError) as refusal:
        order_place(cart=cart, user=user, customer=customer, mpn_id=mpn_id)

    assert refusal.value.code == code
    assert Order.objects.count() == 0
    assert OrderEvent.objects.count() == 0
    assert Cart.objects.get(pk=cart.pk).status == Cart.Status.OPEN


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_commit_leaves_the_order_placed_for_the_sweeper(monkeypatch):
    def broker_down(order_id):
        raise OperationalError("Error 111 connecting to redis: Connection refused.")

    monkeypatch.setattr(order_provision_task, "delay", broker_down)
    user = order_user()
    cart = checked_out_cart(user=user)

    with transaction.atomic():
        order = order_place(
            cart=cart,
            user=user,
            customer=new_tenant_customer(reseller=user.reseller),
            mpn_id="1234567",
        )

    order.refresh_from_db()
    assert order.status == OrderStatus.PLACED
    assert order.attention_due_at is not None
