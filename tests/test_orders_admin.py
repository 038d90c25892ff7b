"""Staff's admin of orders: lists without N+1, the timeline, calls and e-mails on the order, the
actions through the services, and never the new tenant's password."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Email
from orders.admin import OrderAdmin
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import Failure, order_set_status
from orders.tests.factories import order_ready_for_emails, placed_order
from partnercenter.models import PartnerCenterCall
from storefront.crypto import encrypt_text
from storefront.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:orders_order_changelist"


@pytest.fixture
def staff(client):
    user = StaffUserFactory(email="luca@distributore.example")
    client.force_login(user)
    return user


def failed(order: Order) -> Order:
    for status in (OrderStatus.PROVISIONING, OrderStatus.FAILED):
        order_set_status(
            order_id=order.pk,
            to_status=status,
            actor="worker",
            failure=Failure(reason="mpn_invalid", code="900154", detail="MPN non attivo"),
        )
    order.refresh_from_db()
    return order


def changelist_queries(client, **params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(CHANGELIST), params)
    assert response.status_code == 200
    return len(queries)


def test_the_order_list_runs_the_same_queries_for_one_order_or_many(client, staff):
    placed_order()
    with_one = changelist_queries(client)
    for _ in range(4):
        placed_order()

    assert changelist_queries(client) == with_one
    assert changelist_queries(client, status="failed", failure_reason="mpn_invalid") > 0


def test_filters_and_search_by_order_number_find_the_order(client, staff):
    failing = failed(placed_order())
    other = placed_order()

    by_state = client.get(reverse(CHANGELIST), {"status": "failed"}).content.decode()
    by_reason = client.get(reverse(CHANGELIST), {"failure_reason": "mpn_invalid"}).content.decode()
    by_number = client.get(reverse(CHANGELIST), {"q": failing.number}).content.decode()

    for page in (by_state, by_reason, by_number):
        assert failing.number in page
        assert other.number not in page


def test_the_order_page_shows_timeline_calls_and_emails_but_never_the_password(client, staff):
    order = order_ready_for_emails(password="Xyzabc42!Q")
    encrypted = order.admin_password_encrypted
    PartnerCenterCall.objects.create(
        operation="customer_create",
        method="POST",
        path="/v1/customers",
        status=201,
        ms_request_id="11111111-2222-4333-8444-555555555555",
        ms_correlation_id="x",
        duration_ms=42,
        order_id=order.pk,
    )
    Email.objects.create(order=order, kind=Email.Kind.CREDENTIALS, recipients=["a@b.example"])

    page = client.get(reverse("admin:orders_order_change", args=[order.pk])).content.decode()

    assert "11111111-2222-4333-8444-555555555555" in page
    assert "customer_create" in page
    assert "Ordine ricevuto da" in page
    assert "Credenziali di accesso" in page
    assert "admin_password_encrypted" not in page
    assert encrypted not in page
    assert "Xyzabc42!Q" not in page
    assert "field-has_admin_password" in page  # whether one waits, never its value


def test_retry_action_goes_through_the_service_and_records_the_staff_member(
    client, staff, django_capture_on_commit_callbacks
):
    order = failed(placed_order())

    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse(CHANGELIST), {"action": "retry_orders", "_selected_action": [order.pk]}
        )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.PROVISIONING
    event = order.events.latest("pk")
    assert (event.actor, event.actor_user) == ("staff", staff)
    assert len(callbacks) == 1


def test_cancel_and_resolve_actions_report_orders_they_cannot_change(client, staff):
    active = placed_order()
    for status in (OrderStatus.PROVISIONING, OrderStatus.ACTIVE):
        order_set_status(order_id=active.pk, to_status=status, actor="worker")
    failing = failed(placed_order())

    response = client.post(
        reverse(CHANGELIST),
        {"action": "cancel_orders", "_selected_action": [active.pk, failing.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert f"Annullati: {failing.number}." in page
    assert f"{active.number}: " in page
    assert Order.objects.get(pk=active.pk).status == OrderStatus.ACTIVE
    assert Order.objects.get(pk=failing.pk).status == OrderStatus.CANCELLED
    assert not OrderEvent.objects.filter(order=active, actor="staff").exists()


def test_mark_resolved_action_closes_a_failed_order(client, staff):
    order = failed(placed_order())

    client.post(
        reverse(CHANGELIST), {"action": "mark_orders_resolved", "_selected_action": [order.pk]}
    )

    assert Order.objects.get(pk=order.pk).status == OrderStatus.RESOLVED


def test_resume_action_enqueues_an_overdue_order_again(
    client, staff, django_capture_on_commit_callbacks
):
    order = placed_order()

    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse(CHANGELIST), {"action": "resume_orders", "_selected_action": [order.pk]}
        )

    assert len(callbacks) == 1
    event = order.events.latest("pk")
    assert (event.type, event.actor_user) == (OrderEvent.Type.STAFF_ACTION, staff)


def test_orders_cannot_be_added_deleted_or_edited_by_hand(client, staff):
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(admin_password_encrypted=encrypt_text("segreto"))

    add = client.get(reverse("admin:orders_order_add"))
    delete = client.get(reverse("admin:orders_order_delete", args=[order.pk]))
    client.post(reverse("admin:orders_order_change", args=[order.pk]), {"status": "active"})

    assert (add.status_code, delete.status_code) == (403, 403)
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PLACED


def test_outbox_and_subscriptions_are_listed_read_only(client, staff):
    order = order_ready_for_emails()
    Email.objects.create(order=order, kind=Email.Kind.SUBSCRIPTION_SUMMARY, recipients=["a@b.it"])

    outbox = client.get(reverse("admin:notifications_email_changelist"))
    subscriptions = client.get(reverse("admin:orders_orderline_changelist"))
    add = client.get(reverse("admin:notifications_email_add"))

    assert outbox.status_code == subscriptions.status_code == 200
    assert "5f1b2c3d-0000-4000-8000-000000000002" in subscriptions.content.decode()
    assert add.status_code == 403


def test_a_post_to_the_order_change_form_writes_nothing_even_racing_the_worker(
    client, staff, monkeypatch
):
    # Given the admin holding the order as read just before the worker erased the password and
    # stored a request id (the stale values a full-row save would write back)
    order = order_ready_for_emails()
    url = reverse("admin:orders_order_change", args=[order.pk])
    form = client.get(url).content.decode()
    read_by_the_admin = Order.objects.get(pk=order.pk)
    worker_writes = {
        "admin_password_encrypted": "",
        "cart_submit_request_id": "req-from-the-worker",
    }
    Order.objects.filter(pk=order.pk).update(**worker_writes)
    after_worker = Order.objects.values().get(pk=order.pk)
    monkeypatch.setattr(OrderAdmin, "get_object", lambda *args, **kwargs: read_by_the_admin)
    management = {
        f"{prefix}-{field}": "0"
        for prefix in ("lines", "events", "emails")
        for field in ("TOTAL_FORMS", "INITIAL_FORMS")
    }

    # When staff post the change form
    response = client.post(url, {**management, "_save": "Salva"})

    # Then it is refused and the row is exactly as the worker left it
    assert response.status_code == 403
    assert read_by_the_admin.admin_password_encrypted != ""
    assert Order.objects.values().get(pk=order.pk) == after_worker
    assert 'name="_save"' not in form and 'name="_continue"' not in form


def test_the_actions_need_the_change_permission_of_orders(client):
    order = failed(placed_order())
    operator = StaffUserFactory(is_superuser=False, email="op@distributore.example")
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=("view_order", "change_order"))
    )
    viewer = StaffUserFactory(is_superuser=False, email="vista@distributore.example")
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    action = {"action": "mark_orders_resolved", "_selected_action": [order.pk]}

    client.force_login(viewer)
    viewer_page = client.get(reverse(CHANGELIST)).content.decode()
    client.post(reverse(CHANGELIST), action)
    status_after_viewer = Order.objects.get(pk=order.pk).status
    client.force_login(operator)
    operator_page = client.get(reverse(CHANGELIST)).content.decode()
    client.post(reverse(CHANGELIST), action)

    assert "mark_orders_resolved" not in viewer_page
    assert status_after_viewer == OrderStatus.FAILED
    assert "mark_orders_resolved" in operator_page
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RESOLVED
    assert order.events.latest("pk").actor_user == operator


@pytest.mark.parametrize("term", ["²", "ORD-²", "٤٢x", "99999999999999999999999"])
def test_search_terms_that_are_not_order_numbers_are_no_error(client, staff, term):
    placed_order()

    response = client.get(reverse(CHANGELIST), {"q": term})

    assert response.status_code == 200


def test_search_by_order_number_stays_within_the_active_filters(client, staff):
    placed = placed_order()
    failing = failed(placed_order(user=UserFactory(reseller=placed.reseller)))

    page = client.get(
        reverse(CHANGELIST), {"status": "failed", "q": placed.number}
    ).content.decode()
    found = client.get(reverse(CHANGELIST), {"status": "failed", "q": failing.number})

    assert f">{placed.number}<" not in page
    assert f">{failing.number}<" in found.content.decode()
