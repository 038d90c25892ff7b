"""Staff's admin speaks their language: Partner Center call times in Europe/Rome, and every
action's outcome said with the order's state as staff know it, never internal state names."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from orders.models import Order, OrderStatus
from orders.services import Failure, order_set_status
from orders.tests.factories import placed_order
from partnercenter.models import PartnerCenterCall
from storefront.tests.factories import StaffUserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_order_changelist"
CALLED_AT = datetime(2026, 12, 2, 7, 30, 5, tzinfo=UTC)  # 08:30:05 in Rome


def staff_client(client, language: str):
    client.force_login(
        StaffUserFactory(email=f"staff-{language}@distributore.example", language=language)
    )
    return client


def move(order: Order, *statuses: str) -> Order:
    for status in statuses:
        order_set_status(
            order_id=order.pk,
            to_status=status,
            actor="worker",
            failure=Failure(reason="mpn_invalid", code="900154", detail="MPN non attivo"),
        )
    return Order.objects.get(pk=order.pk)


def run_action(client, action: str, order: Order) -> list[tuple[str, str]]:
    response = client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [order.pk]}, follow=True
    )
    assert response.status_code == 200
    return [(message.level_tag, message.message) for message in get_messages(response.wsgi_request)]


def record_call(order: Order | None = None) -> PartnerCenterCall:
    return PartnerCenterCall.objects.create(
        created_at=CALLED_AT,
        operation="order_get",
        method="GET",
        path="/v1/customers/x/orders/y",
        status=200,
        ms_request_id="11111111-2222-4333-8444-555555555555",
        ms_correlation_id="c",
        duration_ms=12,
        order_id=order.pk if order else None,
    )


@pytest.mark.parametrize(
    ("language", "shown"), [("it", "02/12/2026 08:30:05"), ("en", "2026-12-02 08:30:05")]
)
def test_the_order_page_shows_partner_center_call_times_in_rome_time(client, language, shown):
    order = placed_order()
    record_call(order)

    page = staff_client(client, language).get(reverse("admin:orders_order_change", args=[order.pk]))

    assert shown in page.content.decode()
    assert "07:30:05" not in page.content.decode()


def test_the_call_log_list_shows_rome_time(client):
    record_call()

    page = staff_client(client, "it").get(
        reverse("admin:partnercenter_partnercentercall_changelist")
    )

    assert "08:30" in page.content.decode()
    assert "07:30" not in page.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("it", "l'ordine è «Attivo»: si riprovano solo gli ordini non riusciti."),
        ("en", "the order is “Active”: only failed orders can be retried."),
    ],
)
def test_retrying_an_active_order_says_why_in_the_staff_language(client, language, expected):
    order = move(placed_order(), OrderStatus.PROVISIONING, OrderStatus.ACTIVE)

    shown = run_action(staff_client(client, language), "retry_orders", order)

    assert shown == [("error", f"{order.number}: {expected}")]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ACTIVE


@pytest.mark.parametrize(
    ("action", "statuses", "language", "expected"),
    [
        (
            "cancel_orders",
            (OrderStatus.PROVISIONING, OrderStatus.ACTIVE),
            "it",
            "l'ordine è «Attivo»: si annullano solo gli ordini ricevuti, in attesa della "
            "relazione o non riusciti.",
        ),
        (
            "cancel_orders",
            (OrderStatus.PROVISIONING, OrderStatus.ACTIVE),
            "en",
            "the order is “Active”: only received, awaiting-relationship or failed orders can "
            "be cancelled.",
        ),
        (
            "mark_orders_resolved",
            (),
            "it",
            "l'ordine è «Ricevuto»: si segnano come risolti solo gli ordini non riusciti.",
        ),
        (
            "mark_orders_resolved",
            (),
            "en",
            "the order is “Received”: only failed orders can be marked as resolved.",
        ),
        (
            "resume_orders",
            (OrderStatus.CANCELLED,),
            "it",
            "l'ordine è «Annullato»: si riprendono solo gli ordini ricevuti, in attivazione o in "
            "attesa della relazione.",
        ),
        (
            "resume_orders",
            (OrderStatus.CANCELLED,),
            "en",
            "the order is “Cancelled”: only received, activating or awaiting-relationship "
            "orders can be resumed.",
        ),
    ],
)
def test_every_refused_action_says_the_state_and_what_the_action_is_for(
    client, action, statuses, language, expected
):
    order = move(placed_order(), *statuses)

    shown = run_action(staff_client(client, language), action, order)

    assert shown == [("error", f"{order.number}: {expected}")]


@pytest.mark.parametrize(
    ("action", "language", "expected"),
    [
        ("retry_orders", "it", "Nuovo tentativo avviato: {number}."),
        ("retry_orders", "en", "New attempt started: {number}."),
        ("mark_orders_resolved", "it", "Segnati come risolti: {number}."),
        ("mark_orders_resolved", "en", "Marked as resolved: {number}."),
        ("cancel_orders", "it", "Annullati: {number}."),
        ("cancel_orders", "en", "Cancelled: {number}."),
    ],
)
def test_actions_that_succeed_say_so_in_the_staff_language(client, action, language, expected):
    order = move(placed_order(), OrderStatus.PROVISIONING, OrderStatus.FAILED)

    shown = run_action(staff_client(client, language), action, order)

    assert shown == [("success", expected.format(number=order.number))]


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("it", "l'attesa della relazione di rivenditore è scaduta: l'ordine non è riuscito."),
        ("en", "the wait for the reseller relationship expired: the order failed."),
    ],
)
def test_resuming_an_order_whose_wait_expired_says_what_happened_instead(
    client, language, expected
):
    order = placed_order()
    order_set_status(
        order_id=order.pk,
        to_status=OrderStatus.AWAITING_RELATIONSHIP,
        actor="worker",
        changes={"awaiting_relationship_until": timezone.now() - timedelta(minutes=1)},
    )

    shown = run_action(staff_client(client, language), "resume_orders", order)

    assert shown == [("warning", f"{order.number}: {expected}")]
    assert Order.objects.get(pk=order.pk).status == OrderStatus.FAILED
