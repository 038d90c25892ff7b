"""Provisioning in-process against a misbehaving sandbox: lost answers, 5xx, 429, refusals,
expired catalog ids, slow activation. Every order ends active, or failed with its reason; none
creates a tenant, an order or a subscription twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from orders.event_messages import event_staff_text
from orders.models import FailureReason, OrderEvent, OrderStatus
from orders.provisioning import order_provision, runner
from orders.services import order_set_status
from orders.services.staff import order_retry
from orders.services.sweeping import orders_sweep
from orders.tasks import order_provision_task
from orders.tests.factories import (
    contoso_customer,
    new_tenant_customer,
    order_ready_for_emails,
    order_user,
    placed_order,
)
from orders.tests.helpers import NO_DUPLICATES, sandbox_duplicates
from partnercenter.models import PartnerCenterCall
from storefront.tests.factories import StaffUserFactory
from tenants.tests.factories import CONTOSO_PREFIX, VALID_RESELLER_TENANT_ID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

CUSTOMERS = r"^/v1/customers$"
CARTS = r"/carts$"
CHECKOUT = r"/checkout$"


def provision(order, capture):
    with capture(execute=True):
        order_provision_task.delay(order.pk)
    order.refresh_from_db()
    return order


def calls(pc_sandbox, path_suffix: str) -> list[dict]:
    return [
        call
        for call in pc_sandbox.control.calls(method="POST")
        if call["path"].endswith(path_suffix)
    ]


def test_answers_lost_after_commit_are_repeated_with_the_same_request_id(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order()
    for path_regex in (CUSTOMERS, CHECKOUT):
        pc_sandbox.control.inject_fault(
            "drop_after_commit", method="POST", path_regex=path_regex, count=1
        )

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.ACTIVE
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    for suffix in ("/v1/customers", "/checkout"):
        first, second = calls(pc_sandbox, suffix)
        assert first["ms_request_id"] == second["ms_request_id"]
        assert (first["fault"], second["replayed"]) == ("drop_after_commit", True)
    assert len(mail.outbox) == 2
    assert order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED).count() == 2


def test_a_refused_request_is_retried_as_a_new_request(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order()
    pc_sandbox.control.inject_fault("status", status=503, method="POST", path_regex=CARTS, count=1)

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.ACTIVE
    refused, accepted = calls(pc_sandbox, "/carts")
    assert refused["status"] == 503
    assert refused["ms_request_id"] != accepted["ms_request_id"]
    assert order.transient_failures == 0
    [retry] = order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED)
    with translation.override("it"):
        assert "nuovo tentativo" in event_staff_text(retry)


def test_rate_limiting_waits_as_long_as_retry_after_says(pc_sandbox, settings):
    settings.ORDER_RETRY_MAX_SECONDS = 300
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "rate_limit", retry_after=7, method="GET", path_prefix="/v1/products/", count=1
    )

    wait = order_provision(order_id=order.pk)

    order.refresh_from_db()
    assert wait == 7
    assert order.status == OrderStatus.PROVISIONING
    assert order.transient_failures == 1
    due_in = (order.attention_due_at - timezone.now()).total_seconds()
    assert 5 < due_in <= 7
    assert order.partner_center_cart_id == ""


def test_partner_center_down_for_too_long_fails_the_order_and_alerts_staff(
    pc_sandbox, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_ALERT_EMAILS = ["staff@distributore.example"]
    order = placed_order()
    pc_sandbox.control.inject_fault("status", status=503, method="POST", path_regex=CUSTOMERS)

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.PARTNER_CENTER_UNAVAILABLE
    assert order.failure_detail.startswith("5 tentativi falliti")
    assert order.attention_due_at is None
    assert len(calls(pc_sandbox, "/v1/customers")) == 5
    [alert] = mail.outbox
    assert alert.to == ["staff@distributore.example"]
    assert "partner_center_unavailable" in alert.body


def test_checkout_refused_for_a_missing_relationship_then_retried_by_staff(
    pc_sandbox, django_capture_on_commit_callbacks
):
    user = order_user()
    order = placed_order(user=user, customer=contoso_customer(reseller=user.reseller))
    # Stop right before the checkout, then the tenant loses its relationship (20002 at checkout).
    pc_sandbox.control.inject_fault("status", status=503, path_regex=CHECKOUT, count=1)
    assert order_provision(order_id=order.pk) == 0
    domain = f"{CONTOSO_PREFIX}.onmicrosoft.com"
    pc_sandbox.control.add_tenant(domain, relationship_accepted=False)

    with django_capture_on_commit_callbacks(execute=True):
        assert order_provision(order_id=order.pk) is None

    order.refresh_from_db()
    assert (order.status, order.failure_reason) == (
        OrderStatus.FAILED,
        FailureReason.RELATIONSHIP_MISSING,
    )
    assert (order.failure_code, order.partner_center_cart_id) == ("20002", "")
    assert order.lines.exclude(partner_center_order_id="").count() == 0
    [alert] = mail.outbox
    assert "20002" in alert.body
    with translation.override("it"):
        assert event_staff_text(order.events.latest("pk")).startswith("Attivazione non riuscita: ")

    pc_sandbox.control.accept_invitation(domain, partner_id=VALID_RESELLER_TENANT_ID)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_retry(order_id=order.pk, user=StaffUserFactory())

    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    assert pc_sandbox.control.state()["counts"]["order"] == 1
    assert len(mail.outbox) == 1  # the summary: an existing tenant gets no credentials


def test_order_errors_at_checkout_fail_the_order_with_their_code(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order()
    pc_sandbox.control.inject_fault("status", status=503, path_regex=CARTS, count=1)
    assert order_provision(order_id=order.pk) == 0  # MPN ID validated, tenant created
    pc_sandbox.control.set_reseller(order.mpn_id, agreement="unsigned")

    with django_capture_on_commit_callbacks(execute=True):
        order_provision(order_id=order.pk)

    order.refresh_from_db()
    assert (order.status, order.failure_reason, order.failure_code) == (
        OrderStatus.FAILED,
        FailureReason.MPN_INVALID,
        "900154",
    )
    assert order.cart_submitted_at is None
    assert pc_sandbox.control.state()["counts"]["order"] == 0


def test_expired_catalog_ids_of_a_repeated_cart_are_replaced_by_a_new_cart(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order()
    pc_sandbox.control.inject_fault("drop", method="POST", path_regex=CARTS, count=1)
    assert order_provision(order_id=order.pk) == 0
    order.refresh_from_db()
    stale_request_id = order.cart_request_id
    pc_sandbox.control.rotate_catalog()

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.ACTIVE
    dropped, repeated, new = calls(pc_sandbox, "/carts")
    assert dropped["ms_request_id"] == repeated["ms_request_id"] == stale_request_id
    assert new["ms_request_id"] != stale_request_id
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES


def test_a_new_tenant_on_a_domain_already_in_use_fails_as_domain_taken(
    pc_sandbox, django_capture_on_commit_callbacks
):
    user = order_user()
    customer = new_tenant_customer(reseller=user.reseller, prefix=CONTOSO_PREFIX)
    order = placed_order(user=user, customer=customer)

    order = provision(order, django_capture_on_commit_callbacks)

    assert (order.status, order.failure_reason) == (OrderStatus.FAILED, FailureReason.DOMAIN_TAKEN)
    assert order.partner_center_customer_id == ""
    assert order.admin_password_encrypted == ""


def test_partner_center_refusing_our_credentials_fails_at_once(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order()
    pc_sandbox.control.inject_fault("status", status=401, method="POST", path_regex=CUSTOMERS)

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.failure_reason == FailureReason.PARTNER_CENTER_UNAUTHORIZED
    assert len(calls(pc_sandbox, "/v1/customers")) == 1


def test_activation_is_followed_until_the_subscriptions_are_active(
    pc_sandbox, django_capture_on_commit_callbacks, settings
):
    settings.ORDER_POLL_SECONDS = 0.2
    pc_sandbox.control.set_delays(order_not_found_seconds=0.5, subscription_activation_seconds=1)
    order = placed_order()

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.ACTIVE
    polls = PartnerCenterCall.objects.filter(order_id=order.pk, operation="subscription_list")
    assert polls.count() >= 3
    assert order.lines.get().subscription_started_at is not None


def test_subscriptions_never_active_fail_the_order_after_the_activation_timeout(
    pc_sandbox, django_capture_on_commit_callbacks, settings
):
    settings.ORDER_ACTIVATION_TIMEOUT_MINUTES = 0
    pc_sandbox.control.set_delays(subscription_activation_seconds=600)
    order = placed_order()

    order = provision(order, django_capture_on_commit_callbacks)

    assert (order.status, order.failure_code) == (OrderStatus.FAILED, "activation_timeout")
    assert order.failure_reason == FailureReason.PARTNER_CENTER_UNAVAILABLE
    assert order.cart_submitted_at is not None
    assert order.activated_at is None


def test_running_the_task_again_after_the_end_calls_nobody(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = provision(placed_order(), django_capture_on_commit_callbacks)
    calls_before = PartnerCenterCall.objects.count()

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.ACTIVE
    assert PartnerCenterCall.objects.count() == calls_before
    assert len(mail.outbox) == 2


def test_an_order_left_behind_is_resumed_by_the_sweeper(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order()  # its task never ran: this test's transaction never commits
    order.__class__.objects.filter(pk=order.pk).update(
        attention_due_at=timezone.now() - timedelta(minutes=30)
    )

    with django_capture_on_commit_callbacks(execute=True):
        result = orders_sweep(older_than=timedelta(minutes=10))

    order.refresh_from_db()
    assert [overdue.pk for overdue in result.overdue] == result.resumed == [order.pk]
    assert order.status == OrderStatus.ACTIVE


def test_a_duplicate_run_finding_the_order_finished_by_the_other_stops_quietly(monkeypatch):
    order = order_ready_for_emails()

    def other_run_finishes_first(order, client):
        order_set_status(order_id=order.pk, to_status="active", actor="worker")

    monkeypatch.setattr(runner, "STEPS", (other_run_finishes_first,))

    assert order_provision(order_id=order.pk) is None

    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert order.events.filter(to_status=OrderStatus.ACTIVE).count() == 1
