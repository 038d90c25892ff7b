"""The reseller's order pages: list, detail, «L'ordine è completo!» and its JSON status.

Another reseller's order is a 404 on every URL; each page runs the same number of queries
whatever the number of orders, lines or events; hostile text is shown escaped.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.events import event_retry_scheduled, event_step_completed
from orders.models import Order, OrderEvent, OrderStatus
from orders.services import Failure, order_set_status
from orders.services.staff import order_mark_resolved, order_retry
from orders.tests.factories import contoso_customer, order_user, placed_order
from partnercenter.errors import PartnerCenterUnavailable
from storefront.tests.factories import StaffUserFactory, UserFactory

pytestmark = pytest.mark.django_db

ORDER_URLS = ("orders:order_detail", "orders:order_placed", "orders:order_status")


def set_status(order: Order, *statuses: str, failure: Failure | None = None) -> None:
    for status in statuses:
        order_set_status(order_id=order.pk, to_status=status, actor="worker", failure=failure)


def query_count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ORDER_URLS)
def test_another_resellers_order_is_not_found(client, name):
    order = placed_order()
    client.force_login(order_user())

    response = client.get(reverse(name, args=[order.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ORDER_URLS)
def test_a_colleague_of_the_same_reseller_sees_the_order(client, name):
    order = placed_order()
    client.force_login(UserFactory(reseller=order.reseller))

    assert client.get(reverse(name, args=[order.pk])).status_code == 200


@pytest.mark.parametrize("name", ORDER_URLS)
def test_order_pages_need_a_signed_in_reseller_user(client, name):
    order = placed_order()

    anonymous = client.get(reverse(name, args=[order.pk]))
    client.force_login(StaffUserFactory())
    staff = client.get(reverse(name, args=[order.pk]))

    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    assert staff.status_code == 403


def test_the_list_shows_only_the_resellers_orders_filtered_by_state(client):
    user = order_user()
    active = placed_order(user=user)
    set_status(active, OrderStatus.PROVISIONING, OrderStatus.ACTIVE)
    waiting = placed_order(user=UserFactory(reseller=user.reseller))
    others = placed_order()
    client.force_login(user)

    everything = client.get(reverse("orders:order_list")).content.decode()
    only_active = client.get(reverse("orders:order_list"), {"stato": "active"}).content.decode()

    assert active.number in everything and waiting.number in everything
    assert others.number not in everything
    assert active.number in only_active and waiting.number not in only_active
    assert 'data-order-status="active"' in only_active


def test_the_list_runs_the_same_queries_for_one_order_or_many(client):
    user = order_user()
    placed_order(user=user)
    client.force_login(user)
    with_one = query_count(client, reverse("orders:order_list"))
    for _ in range(4):
        placed_order(user=UserFactory(reseller=user.reseller))

    with_five = query_count(client, reverse("orders:order_list"))

    assert with_one == with_five == 6  # session, user, reseller, count, cart badge, orders


def test_the_detail_shows_lines_subscriptions_and_timeline_in_fixed_queries(client):
    user = order_user()
    small = placed_order(user=user)
    big = placed_order(user=UserFactory(reseller=user.reseller), addon_quantity=2)
    set_status(big, OrderStatus.PROVISIONING, OrderStatus.AWAITING_RELATIONSHIP)
    client.force_login(user)

    assert query_count(client, reverse("orders:order_detail", args=[small.pk])) == 7
    assert query_count(client, reverse("orders:order_detail", args=[big.pk])) == 7
    page = client.get(reverse("orders:order_detail", args=[big.pk])).content.decode()
    assert page.count("data-line=") == 2
    assert page.count("data-event=") == 3
    assert "Ordine ricevuto da" in page
    assert "Exchange Online Archiving for Exchange Online" in page


def test_a_line_whose_sku_is_named_like_its_product_shows_the_name_once(client):
    user = order_user()
    order = placed_order(user=user)
    line = order.lines.get()
    assert line.sku_title == line.product_title  # as Microsoft names Business Standard's SKU
    client.force_login(user)

    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()

    [row] = re.findall(r"<tr[^>]*data-line.*?</tr>", page, re.S)
    assert row.count(line.product_title) == 1


def test_the_placed_page_follows_a_new_tenant_order_and_says_credentials_come_by_email(client):
    order = placed_order()
    client.force_login(order.user)

    url = reverse("orders:order_placed", args=[order.pk])
    page = client.get(url).content.decode()

    assert query_count(client, url) == 5  # session, user, reseller, order, cart badge
    assert "L&#x27;ordine è completo!" in page
    assert order.number in page
    assert "riceverai per e-mail le credenziali del nuovo tenant" in page
    assert '<meta http-equiv="refresh" content="5">' in page
    assert "js/order_progress.js" in page
    assert 'data-final="false"' in page
    assert "data-reload" in page


def test_the_placed_page_of_an_existing_tenant_says_to_keep_the_credentials(client):
    user = order_user()
    order = placed_order(user=user, customer=contoso_customer(reseller=user.reseller))
    set_status(order, OrderStatus.PROVISIONING, OrderStatus.ACTIVE)
    client.force_login(user)

    page = client.get(reverse("orders:order_placed", args=[order.pk])).content.decode()

    assert "La sottoscrizione è attiva!" in page
    assert "continua a usare le credenziali che ha già" in page
    assert "http-equiv" not in page
    assert 'data-final="true"' in page


def test_the_status_endpoint_reports_progress_for_the_page_script(client):
    order = placed_order()
    set_status(order, OrderStatus.PROVISIONING)
    client.force_login(order.user)

    url = reverse("orders:order_status", args=[order.pk])
    state = client.get(url).json()

    assert query_count(client, url) == 4  # session, user, reseller, order
    assert state["number"] == order.number
    assert (state["status"], state["is_final"], state["is_error"]) == ("provisioning", False, False)
    assert [step["state"] for step in state["steps"]] == [
        "done",
        "current",
        "pending",
        "pending",
        "pending",
        "pending",
        "pending",
    ]
    assert "data-progress-steps" in state["html"]


def test_a_failed_order_says_what_to_do_and_who_to_contact(client, settings):
    settings.SUPPORT_EMAIL = "aiuto@distributore.example"
    order = placed_order()
    set_status(
        order,
        OrderStatus.PROVISIONING,
        OrderStatus.FAILED,
        failure=Failure(reason="mpn_invalid", code="900154", detail="not active"),
    )
    client.force_login(order.user)

    state = client.get(reverse("orders:order_status", args=[order.pk])).json()

    assert (state["is_final"], state["is_error"]) == (True, True)
    assert state["headline"] == "L'attivazione non è riuscita"
    assert "non riconosce l'MPN ID 1234567" in state["message"]
    assert "aiuto@distributore.example" in state["html"]
    assert order.number in state["html"]
    assert [step["state"] for step in state["steps"]][:2] == ["done", "failed"]


def test_hostile_customer_names_are_shown_escaped(client):
    order = placed_order()
    order.customer.company_name = "<script>alert(1)</script>"
    order.customer.save()
    client.force_login(order.user)

    for url in (reverse("orders:order_list"), reverse("orders:order_detail", args=[order.pk])):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_unknown_filters_and_pages_fall_back_gracefully(client):
    order = placed_order()
    client.force_login(order.user)

    response = client.get(reverse("orders:order_list"), {"stato": "<x>", "pagina": "zzz"})

    assert response.status_code == 200
    assert order.number in response.content.decode()


def test_the_timeline_tells_the_reseller_what_happened_but_never_staff_diagnostics(
    client, settings
):
    # Given an order that hit a transient error, failed on a Partner Center error (code and
    # MS-RequestId in the staff's messages), was retried by staff and closed with a note
    settings.SUPPORT_EMAIL = "aiuto@distributore.example"
    request_id = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    raw_error = "CustomerDomainAlreadyInUse: The domain prefix is already used"
    partner_center_customer_id = "5d1c0f2e-1111-4222-8333-944455556666"
    staff = StaffUserFactory(email="luca@distributore.example")
    order = placed_order()
    set_status(order, OrderStatus.PROVISIONING)
    event_step_completed(
        order=order,
        step=OrderEvent.Step.TENANT_CREATED,
        customer_id=partner_center_customer_id,
        domain=order.tenant_domain,
    )
    event_retry_scheduled(
        order=order,
        operation=OrderEvent.Operation.PROVISIONING,
        error=PartnerCenterUnavailable(
            f"503 (MS-RequestId {request_id})", http_status=503, ms_request_id=request_id
        ),
        retry_in=30,
        failures=1,
        max_failures=5,
    )
    order_set_status(
        order_id=order.pk,
        to_status=OrderStatus.FAILED,
        actor="worker",
        failure=Failure(
            reason="partner_center_rejected",
            code="800002",
            detail=f"{raw_error} (MS-RequestId {request_id})",
        ),
    )
    order_retry(order_id=order.pk, user=staff)
    order_set_status(
        order_id=order.pk,
        to_status=OrderStatus.FAILED,
        actor="worker",
        failure=Failure(reason="domain_taken", code="800002", detail=raw_error),
    )
    order_mark_resolved(order_id=order.pk, user=staff, note="cliente moroso, non riattivare")
    client.force_login(order.user)

    # When the reseller opens the order
    page = client.get(reverse("orders:order_detail", args=[order.pk])).content.decode()

    # Then the timeline explains each event plainly, with the support contact on failures
    timeline = page[page.index("data-timeline") :]
    for secret in (
        request_id,
        raw_error,
        "CustomerDomainAlreadyInUse",
        "PartnerCenterUnavailable",
        partner_center_customer_id,
        "luca@distributore.example",
        "cliente moroso",
    ):
        assert secret not in page
    assert timeline.count("data-event=") == 8
    assert f"Nuovo tenant {order.tenant_domain} creato." in timeline
    assert "riproveremo da soli tra poco" in timeline
    assert "Microsoft ha rifiutato l&#x27;ordine." in timeline
    assert "Il nostro staff ha avviato un nuovo tentativo." in timeline
    assert f"il dominio {order.tenant_domain} è già in uso." in timeline
    assert "Il nostro staff ha chiuso l&#x27;ordine." in timeline
    assert (
        timeline.count(
            f"scrivi a aiuto@distributore.example indicando l&#x27;ordine {order.number}"
        )
        == 3
    )
