"""The list pages render their rows without per-row work that does not depend on the row: one
route reversal for the page, not one per row, and choice labels looked up without rebuilding the
field's choices (bench/README.md, "Pages"). The pages show the same links and labels as before."""

import pytest
from django.urls import resolvers, reverse
from django.utils import translation

from orders.models import Order, OrderStatus
from orders.tests.factories import order_user, placed_order
from subscriptions.tests.factories import mirrored_subscription
from tenants.models import Customer
from tenants.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

LIST_PAGES = (
    ("orders:order_list", "orders:order_detail", Order),
    ("tenants:customer_list", "tenants:customer_detail", Customer),
    ("subscriptions:subscription_list", "subscriptions:subscription_detail", None),
)


def reversals(client, monkeypatch, url: str) -> tuple[int, str]:
    """The routes the page reverses (once warm: the first request of a process reverses a few
    routes once for good), and its HTML."""
    client.get(url)
    calls = []
    original = resolvers.URLResolver._reverse_with_prefix

    def counting(self, lookup_view, _prefix, *args, **kwargs):
        calls.append(lookup_view)
        return original(self, lookup_view, _prefix, *args, **kwargs)

    monkeypatch.setattr(resolvers.URLResolver, "_reverse_with_prefix", counting)
    response = client.get(url)
    monkeypatch.setattr(resolvers.URLResolver, "_reverse_with_prefix", original)
    assert response.status_code == 200
    return calls, response.content.decode()


def add_rows(user, count: int) -> None:
    for _ in range(count):
        order = placed_order(user=user)
        CustomerFactory(reseller=user.reseller)
        mirrored_subscription(order=order)


@pytest.mark.parametrize(("list_name", "detail_name", "model"), LIST_PAGES)
def test_a_list_page_reverses_the_same_routes_for_2_rows_as_for_20(
    client, monkeypatch, list_name, detail_name, model
):
    # Given a reseller with 2 orders, customers and subscriptions
    user = order_user()
    add_rows(user, 2)
    client.force_login(user)
    few, _html = reversals(client, monkeypatch, reverse(list_name))

    # When it has 20 of each
    add_rows(user, 18)
    many, html = reversals(client, monkeypatch, reverse(list_name))

    # Then the page reversed no more routes, and every row still links its own page
    assert len(many) == len(few)
    if model is not None:
        for pk in model.objects.filter(reseller=user.reseller).values_list("pk", flat=True):
            assert f'href="{reverse(detail_name, args=[pk])}"' in html
    else:
        for subscription in user.reseller.subscriptions.all():
            assert f'href="{reverse(detail_name, args=[subscription.pk])}"' in html


def test_choice_labels_are_translated_in_the_language_of_the_moment():
    # Given an active order
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.ACTIVE)
    order.refresh_from_db()

    # When its status is shown in Italian, in English, then in Italian again
    with translation.override("it"):
        italian = order.get_status_display()
    with translation.override("en"):
        english = order.get_status_display()
    with translation.override("it"):
        italian_again = order.get_status_display()

    # Then each time in that language, and an unknown value is shown as it is
    assert (italian, english, italian_again) == ("Attivo", "Active", "Attivo")
    order.status = "not-a-status"
    assert order.get_status_display() == "not-a-status"
