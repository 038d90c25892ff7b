"""The reseller's timeline, word for word, in Italian and in English, for orders whose events were
written by the real paths (provisioning against the sandbox, a 429, staff actions, the sweeper):
the event rows may change shape, what the reseller reads may not."""

import json
import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone, translation

from orders.models import Order
from orders.provisioning import order_provision
from orders.provisioning.relationship import order_check_relationship
from orders.selectors import order_timeline
from orders.services.staff import order_cancel, order_mark_resolved, order_resume, order_retry
from orders.services.sweeping import order_resume_overdue
from orders.tasks import order_check_relationship_task, order_provision_task
from orders.tests.factories import (
    fabrikam_customer,
    new_tenant_customer,
    order_user,
    placed_order,
)
from storefront.tests.factories import StaffUserFactory
from tenants.tests.factories import FABRIKAM_PREFIX, VALID_RESELLER_TENANT_ID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

SUPPORT = "aiuto@distributore.example"
# What the reseller read before the events were typed, captured from the code of that time:
# (event, actor, text) per order and language; {email} and {number} stand for the order's user and
# number.
EXPECTED = {
    name: [tuple(entry) for entry in entries]
    for name, entries in json.loads(
        (Path(__file__).parent / "data" / "orders_timeline_before_typed_events.json").read_text(
            encoding="utf-8"
        )
    ).items()
}


def due_now(order: Order) -> None:
    Order.objects.filter(pk=order.pk).update(attention_due_at=timezone.now())


def new_tenant_order_after_a_429(pc_sandbox, settings, user) -> Order:
    """Placed, provisioned with one 429 on the catalogue, resumed when due, active."""
    settings.ORDER_RETRY_MAX_SECONDS = 300
    order = placed_order(user=user)
    pc_sandbox.control.inject_fault(
        "rate_limit", retry_after=7, method="GET", path_prefix="/v1/products/", count=1
    )
    assert order_provision(order_id=order.pk) == 7
    due_now(order)
    assert order_provision(order_id=order.pk) is None
    return order


def existing_tenant_order_that_waited(pc_sandbox, user, customer) -> Order:
    """Parked for the relationship, checked at staff's request, accepted, active."""
    order = placed_order(user=user, customer=customer)
    order_provision(order_id=order.pk)
    order_resume(order_id=order.pk, user=StaffUserFactory(email="luca@distributore.example"))
    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )
    order_check_relationship(order_id=order.pk)
    assert order_provision(order_id=order.pk) is None
    return order


def failed_order_retried_resumed_and_resolved(pc_sandbox, user) -> Order:
    """Failed on the MPN ID, retried by staff, resumed by the sweeper and by staff, failed again,
    resolved by staff with a note."""
    staff = StaffUserFactory(email="marta@distributore.example")
    customer = new_tenant_customer(reseller=user.reseller, prefix="altraimpresa2026")
    order = placed_order(user=user, customer=customer)
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Inactive")
    order_provision(order_id=order.pk)
    order_retry(order_id=order.pk, user=staff)
    Order.objects.filter(pk=order.pk).update(attention_due_at=timezone.now() - timedelta(hours=1))
    order_resume_overdue(order_id=order.pk, older_than=timedelta(minutes=30))
    order_resume(order_id=order.pk, user=staff)
    order_provision(order_id=order.pk)
    order_mark_resolved(order_id=order.pk, user=staff, note="cliente moroso")
    return order


def expired_wait_cancelled(pc_sandbox, user, customer) -> Order:
    """Parked for the relationship, the wait expired, cancelled by staff."""
    order = placed_order(user=user, customer=customer)
    order_provision(order_id=order.pk)
    Order.objects.filter(pk=order.pk).update(
        awaiting_relationship_until=timezone.now() - timedelta(minutes=1)
    )
    order_check_relationship(order_id=order.pk)
    order_cancel(order_id=order.pk, user=StaffUserFactory(), note="ordine doppio")
    return order


def timeline(order: Order, language: str) -> list[tuple[str, str, str]]:
    order = Order.objects.select_related("user").get(pk=order.pk)
    with translation.override(language):
        return [
            (entry.kind, entry.actor_label, entry.text) for entry in order_timeline(order=order)
        ]


@pytest.fixture
def orders(pc_sandbox, settings, monkeypatch):
    """One reseller's orders, in an order that keeps the sandbox's state right for each: the
    relationship is accepted after the expired wait, the MPN ID made invalid last. The test
    runs each step itself: nothing queued after a commit runs."""
    monkeypatch.setattr(order_provision_task, "delay", lambda *args, **kwargs: None)
    monkeypatch.setattr(order_check_relationship_task, "delay", lambda *args, **kwargs: None)
    settings.SUPPORT_EMAIL = SUPPORT
    user = order_user()
    new_tenant = new_tenant_order_after_a_429(pc_sandbox, settings, user)
    fabrikam = fabrikam_customer(reseller=user.reseller)
    cancelled = expired_wait_cancelled(pc_sandbox, user, fabrikam)
    waited = existing_tenant_order_that_waited(pc_sandbox, user, fabrikam)
    resolved = failed_order_retried_resumed_and_resolved(pc_sandbox, user)
    return {
        "new_tenant": new_tenant,
        "cancelled": cancelled,
        "waited": waited,
        "resolved": resolved,
    }


def test_the_reseller_reads_each_event_as_before_in_italian_and_english(orders):
    for name, order in orders.items():
        for language in ("it", "en"):
            expected = [
                (kind, actor, text.format(email=order.user.email, number=order.number))
                for kind, actor, text in EXPECTED[f"{name}:{language}"]
            ]
            assert timeline(order, language) == expected, (name, language)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["it", "en"])
def test_the_order_page_shows_the_same_timeline_in_a_browser(
    orders, signed_in_page, language, settings
):
    # Given the reseller's user, in Italian or English, on a 1366 px screen
    order = orders["resolved"]
    user = order.user
    user.language = language
    user.save(update_fields=["language"])
    page = signed_in_page(user)
    page.set_viewport_size({"width": 1366, "height": 900})

    for name in ("new_tenant", "resolved"):
        # When they open the order
        order = orders[name]
        page.goto(f"{page.live_server_url}/ordini/{order.pk}/")

        # Then each timeline entry reads as before
        entries = page.locator("[data-timeline] li")
        shown = [
            (
                entries.nth(index).get_attribute("data-event"),
                entries.nth(index).inner_text().splitlines()[0].split(" · ")[-1],
                entries.nth(index).inner_text().splitlines()[-1].strip(),
            )
            for index in range(entries.count())
        ]
        assert shown == [
            (kind, actor, text.format(email=user.email, number=order.number))
            for kind, actor, text in EXPECTED[f"{name}:{language}"]
        ]
        # For a person to compare too: EVENTS_SCREENSHOT_TAG=before (or after) keeps the page.
        if tag := os.environ.get("EVENTS_SCREENSHOT_TAG"):
            path = Path(settings.VAR_DIR) / "screenshots" / f"events-{tag}-{name}-{language}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=path, full_page=True)
