"""«Rinnovi» and the renewal plan on the subscription page, on the mirror alone: the next 60
days in order with their plans, a fixed number of queries whatever the count, another
reseller's renewals never shown; a failed change's e-mail follows the profile switch."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from orders.tests.factories import order_user, placed_order
from subscriptions.models import ChangeRequest, ReminderOptOut, RenewalPlan, Subscription
from subscriptions.services import changes as change_service
from subscriptions.tests.factories import mirrored_subscription

pytestmark = [pytest.mark.django_db]

PLAN = {"product_id": "X", "sku_id": "0001", "term": "P1Y", "billing": "monthly", "quantity": 7}


@pytest.fixture(autouse=True)
def no_partner_center(monkeypatch):
    def refuse(**kwargs):
        raise AssertionError("a page called Partner Center")

    monkeypatch.setattr("partnercenter.services.PartnerCenterClient", refuse)


def copies(template: Subscription, count: int, *, days: int) -> None:
    rows = []
    for number in range(count):
        row = Subscription(
            **{
                field.attname: getattr(template, field.attname)
                for field in Subscription._meta.concrete_fields
                if field.attname not in ("id", "order_line_id", "partner_center_id")
            }
        )
        row.partner_center_id = str(uuid.uuid4())
        row.commitment_end = timezone.now() + timedelta(days=days, minutes=number)
        row.scheduled_next_term = PLAN
        rows.append(row)
    Subscription.objects.bulk_create(rows)


def queries_of(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_renewals_lists_the_next_60_days_in_order_with_plans_in_fixed_queries(client):
    order = placed_order()
    client.force_login(order.user)
    now = timezone.now()
    soon = mirrored_subscription(order=order, commitment_end=now + timedelta(days=3))
    later = mirrored_subscription(
        order=placed_order(user=order.user),
        commitment_end=now + timedelta(days=40),
        scheduled_next_term=PLAN,
    )
    expiring = mirrored_subscription(
        order=placed_order(user=order.user),
        commitment_end=now + timedelta(days=10),
        auto_renew_enabled=False,
    )
    mirrored_subscription(
        order=placed_order(user=order.user), commitment_end=now + timedelta(days=90)
    )
    other = mirrored_subscription(
        order=placed_order(user=order_user()),
        commitment_end=now + timedelta(days=5),
    )
    url = reverse("subscriptions:renewal_list")

    page = client.get(url).content.decode()

    rows = [f'data-renewal="{s.pk}"' for s in (soon, expiring, later)]
    positions = [page.index(row) for row in rows]
    assert positions == sorted(positions)
    assert page.count("data-renewal=") == 3
    assert f'data-renewal="{other.pk}"' not in page
    assert "7 licenze" in page and "scade: rinnovo automatico disattivato" in page
    with_four = queries_of(client, url)
    copies(soon, 40, days=20)
    assert queries_of(client, url) == with_four


def test_the_page_shows_a_plan_being_set_again(client):
    order = placed_order()
    client.force_login(order.user)
    subscription = mirrored_subscription(order=order)
    RenewalPlan.objects.create(
        subscription=subscription,
        user=order.user,
        next_term={**PLAN, "title": "Prodotto X"},
        term_end=subscription.commitment_end,
    )

    page = client.get(reverse("subscriptions:subscription_detail", args=[subscription.pk]))

    assert "lo stiamo riapplicando" in page.content.decode()


def test_a_failed_changes_email_follows_the_profile_switch(monkeypatch):
    order = placed_order()
    subscription = mirrored_subscription(order=order)
    ReminderOptOut.objects.create(user=order.user, kind="change_failed")
    change = ChangeRequest.objects.create(
        subscription=subscription,
        user=order.user,
        kind=ChangeRequest.Kind.ADD_SEATS,
        seats=1,
        idempotency_key=uuid.uuid4(),
        status=ChangeRequest.Status.SUBMITTED,
    )

    change_service._fail(change, "2002", "test")

    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.FAILED
    assert mail.outbox == []
    assert not order.emails.filter(kind="change_failed").exists()
