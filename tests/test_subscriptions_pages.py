"""The «Sottoscrizioni» pages on the mirror alone: filters, search, paging, a fixed number of
queries whatever the count, the reasons an action is not allowed, and no Partner Center call."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.tests.factories import placed_order
from subscriptions.models import ChangeRequest, Subscription
from subscriptions.tests.factories import mirrored_subscription
from tenants.tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def no_partner_center(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("a page called Partner Center")

    monkeypatch.setattr("partnercenter.services.PartnerCenterClient", refuse)


@pytest.fixture
def order():
    return placed_order()


def many(order, count: int) -> None:
    """``count`` subscriptions of several customers, written in bulk."""
    template = mirrored_subscription(order=order, order_line=None)
    customers = [template.customer] + [
        CustomerFactory(reseller=order.reseller, company_name=f"Cliente {n} S.r.l.")
        for n in range(3)
    ]
    rows = []
    for number in range(count - 1):
        row = Subscription(
            **{
                field.attname: getattr(template, field.attname)
                for field in Subscription._meta.concrete_fields
                if field.attname not in ("id", "order_line_id", "partner_center_id")
            }
        )
        row.partner_center_id = str(uuid.uuid4())
        row.customer_id = customers[number % len(customers)].pk
        row.title = f"Prodotto {number:04d}"
        rows.append(row)
    Subscription.objects.bulk_create(rows)


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "query",
    ["", "?q=Prodotto", "?finestra=on&rinnovo=on", "?senza_rinnovo=on&stato=active&pagina=2"],
)
def test_the_list_runs_the_same_queries_for_10_and_1000_subscriptions(client, order, query):
    client.force_login(order.user)
    url = reverse("subscriptions:subscription_list") + query
    many(order, 10)
    with_ten = queries_of(client, url)

    many(order, 990)
    with_a_thousand = queries_of(client, url)

    assert Subscription.objects.count() == 1000
    assert with_a_thousand == with_ten


def test_the_list_filters_and_searches(client, order):
    client.force_login(order.user)
    now = timezone.now()
    open_window = mirrored_subscription(order=order, title="Finestra aperta")
    mirrored_subscription(
        order=order,
        order_line=None,
        title="Senza rinnovo",
        auto_renew_enabled=False,
        cancellation_allowed_until=now - timedelta(days=1),
        commitment_end=now + timedelta(days=10),
    )
    other = CustomerFactory(reseller=order.reseller, company_name="Altro Cliente S.r.l.")
    mirrored_subscription(
        order=order,
        order_line=None,
        customer=other,
        title="Rinnovo vicino",
        cancellation_allowed_until=None,
        commitment_end=now + timedelta(days=20),
    )
    url = reverse("subscriptions:subscription_list")

    def titles(query: dict) -> list[str]:
        page = client.get(url, query).context["page"]
        return [subscription.title for subscription in page.object_list]

    assert titles({"finestra": "on"}) == [open_window.title]
    assert titles({"senza_rinnovo": "on"}) == ["Senza rinnovo"]
    assert titles({"rinnovo": "on"}) == ["Rinnovo vicino"]
    assert titles({"cliente": other.pk}) == ["Rinnovo vicino"]
    assert titles({"q": "altro cliente"}) == ["Rinnovo vicino"]
    assert titles({"q": "nessuno"}) == []
    # Filters that make no sense are dropped, not a 500: everything, by customer then product
    assert titles({"cliente": "abc", "stato": "nonesiste"}) == [
        "Rinnovo vicino",
        "Finestra aperta",
        "Senza rinnovo",
    ]


def test_the_customer_page_lists_its_own_subscriptions(client, order):
    client.force_login(order.user)
    subscription = mirrored_subscription(order=order)

    page = client.get(reverse("tenants:customer_detail", kwargs={"pk": order.customer.pk}))

    assert page.status_code == 200
    assert reverse("subscriptions:subscription_detail", kwargs={"pk": subscription.pk}) in (
        page.content.decode()
    )


def test_the_detail_page_gives_each_action_or_why_not(client, order):
    client.force_login(order.user)
    now = timezone.now()
    closed = mirrored_subscription(
        order=order,
        cancellation_allowed_until=None,
        refundable_quantity=0,
        refund_buckets=[],
    )
    url = reverse("subscriptions:subscription_detail", kwargs={"pk": closed.pk})

    page = client.get(url).content.decode()

    assert 'data-action="add_seats" data-allowed="yes"' in page
    assert 'data-action="auto_renew" data-allowed="yes"' in page
    assert 'data-action="remove_seats" data-allowed="no"' in page
    assert 'data-action="cancel" data-allowed="no"' in page
    assert "Nessuna licenza riducibile ora" in page

    # A change in progress blocks every action, with the reason
    ChangeRequest.objects.create(
        subscription=closed,
        user=order.user,
        kind=ChangeRequest.Kind.ADD_SEATS,
        seats=1,
        idempotency_key=uuid.uuid4(),
        attention_due_at=now,
    )
    page = client.get(url).content.decode()
    # every action shown (suspend or reactivate, whichever applies) is refused
    assert page.count('data-allowed="no"') == page.count("data-allowed=") == 6
    assert "È in corso un&#x27;altra modifica" in page


def test_buckets_show_how_many_seats_until_when(client, order):
    client.force_login(order.user)
    until = timezone.now() + timedelta(days=3)
    subscription = mirrored_subscription(
        order=order,
        refundable_quantity=3,
        refund_buckets=[
            {"quantity": 3, "until": until.isoformat()},
            {"quantity": 2, "until": (timezone.now() - timedelta(hours=1)).isoformat()},
        ],
    )

    page = client.get(
        reverse("subscriptions:subscription_detail", kwargs={"pk": subscription.pk})
    ).content.decode()

    local = timezone.localtime(until)
    assert f"3 licenze riducibili fino al {local:%d/%m/%Y %H:%M}" in page
    assert "2 licenze riducibili" not in page  # its deadline has passed


def test_refresh_is_enqueued_not_run_in_the_request(
    client, order, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    client.force_login(order.user)
    subscription = mirrored_subscription(order=order)
    url = reverse("subscriptions:subscription_refresh", kwargs={"pk": subscription.pk})

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(url)
        again = client.post(url)

    assert (response.status_code, again.status_code) == (302, 302)
    assert len(callbacks) == 1  # enqueued once a minute, never run inside the request


def test_the_detail_page_runs_the_same_queries_whatever_its_history(client, order):
    client.force_login(order.user)
    subscription = mirrored_subscription(order=order)
    url = reverse("subscriptions:subscription_detail", kwargs={"pk": subscription.pk})

    def add_history(count: int) -> None:
        for _ in range(count):
            change = ChangeRequest.objects.create(
                subscription=subscription,
                user=order.user,
                kind=ChangeRequest.Kind.ADD_SEATS,
                seats=1,
                idempotency_key=uuid.uuid4(),
                status=ChangeRequest.Status.COMPLETED,
            )
            subscription.events.create(kind="change_completed", change_request=change)
            mirrored_subscription(order=order, order_line=None, parent=subscription)

    add_history(1)
    with_one = queries_of(client, url)
    add_history(20)
    with_twenty = queries_of(client, url)

    assert with_twenty == with_one


def test_a_reseller_whose_mpn_id_is_invalid_is_told_why_nothing_can_change(client, order):
    client.force_login(order.user)
    order.reseller.mpn_status = "invalid"
    order.reseller.save(update_fields=["mpn_status"])
    subscription = mirrored_subscription(order=order)

    page = client.get(
        reverse("subscriptions:subscription_detail", kwargs={"pk": subscription.pk})
    ).content.decode()
    forged = client.post(
        reverse("subscriptions:add_seats", kwargs={"pk": subscription.pk}),
        {"seats": "1", "idempotency_key": str(uuid.uuid4()), "action": "confirm"},
    )

    # every action shown (suspend or reactivate, whichever applies) is refused
    assert page.count('data-allowed="no"') == page.count("data-allowed=") == 6
    assert "partner of record valido" in page
    assert forged.status_code == 200
    assert not ChangeRequest.objects.exists()
