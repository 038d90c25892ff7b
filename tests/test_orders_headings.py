"""The order page's heading and title say what happened to the order, in each state, and differ
from the order detail's title."""

import re

import pytest
from django.urls import reverse

from orders.models import OrderStatus
from orders.services import Failure, order_set_status
from orders.tests.factories import fabrikam_customer, order_user, placed_order

pytestmark = pytest.mark.django_db

PATHS = {
    OrderStatus.PLACED: (),
    OrderStatus.PROVISIONING: (OrderStatus.PROVISIONING,),
    OrderStatus.ACTIVE: (OrderStatus.PROVISIONING, OrderStatus.ACTIVE),
    OrderStatus.FAILED: (OrderStatus.PROVISIONING, OrderStatus.FAILED),
    OrderStatus.AWAITING_RELATIONSHIP: (OrderStatus.AWAITING_RELATIONSHIP,),
    OrderStatus.CANCELLED: (OrderStatus.CANCELLED,),
}
HEADINGS = {
    OrderStatus.PLACED: "L'ordine è completo: attivazione in corso",
    OrderStatus.PROVISIONING: "L'ordine è completo: attivazione in corso",
    OrderStatus.ACTIVE: "L'ordine è completo: sottoscrizione attiva",
    OrderStatus.FAILED: "Ordine non riuscito",
    OrderStatus.AWAITING_RELATIONSHIP: "Ordine in attesa della relazione di rivenditore",
    OrderStatus.CANCELLED: "Ordine annullato",
}
ENGLISH_HEADINGS = {
    OrderStatus.ACTIVE: "The order is complete: subscription active",
    OrderStatus.FAILED: "Order failed",
    OrderStatus.AWAITING_RELATIONSHIP: "Order waiting for the reseller relationship",
}


def order_in(status: str):
    user = order_user()
    customer = (
        fabrikam_customer(reseller=user.reseller)
        if status == OrderStatus.AWAITING_RELATIONSHIP
        else None
    )
    order = placed_order(user=user, customer=customer)
    for step in PATHS[status]:
        failure = Failure(reason="mpn_invalid") if step == OrderStatus.FAILED else None
        order_set_status(order_id=order.pk, to_status=step, actor="worker", failure=failure)
    return order


def heading_and_title(html: str) -> tuple[str, str]:
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1).strip()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    return heading.replace("&#x27;", "'"), title.replace("&#x27;", "'")


@pytest.mark.parametrize("status", list(HEADINGS))
def test_the_placed_page_heading_says_what_happened(client, status):
    order = order_in(status)
    client.force_login(order.user)

    placed = client.get(reverse("orders:order_placed", args=[order.pk])).content.decode()
    detail = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()

    heading, title = heading_and_title(placed)
    assert heading == HEADINGS[status]
    assert title == f"{HEADINGS[status]} · {order.number} · CSP Storefront"
    assert heading_and_title(detail)[1] == f"Ordine {order.number} · CSP Storefront"
    status_json = client.get(reverse("orders:order_status", args=[order.pk])).json()
    assert status_json["page_heading"] == HEADINGS[status]


@pytest.mark.parametrize("status", list(ENGLISH_HEADINGS))
def test_the_placed_page_heading_in_english(client, status):
    order = order_in(status)
    order.user.language = "en"
    order.user.save(update_fields=["language"])
    client.force_login(order.user)

    placed = client.get(reverse("orders:order_placed", args=[order.pk])).content.decode()

    assert heading_and_title(placed)[0] == ENGLISH_HEADINGS[status]
