"""Provisioning in-process (eager tasks) against the Partner Center sandbox: the happy paths,
the relationship wait, business refusals and staff retry."""

import logging

import pytest
from django.core import mail

from notifications.models import Email
from orders.models import FailureReason, Order, OrderEvent, OrderStatus
from orders.provisioning.relationship import RelationshipOutcome, order_check_relationship
from orders.services.staff import order_retry
from orders.tasks import order_provision_task, orders_check_relationships_task
from orders.tests.factories import (
    contoso_customer,
    fabrikam_customer,
    order_user,
    placed_order,
)
from orders.tests.helpers import NO_DUPLICATES, database_text, sandbox_duplicates
from partnercenter.models import PartnerCenterCall
from storefront.crypto import decrypt_text
from storefront.tests.factories import StaffUserFactory
from tenants.models import Customer
from tenants.tests.factories import FABRIKAM_PREFIX, VALID_RESELLER_TENANT_ID

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def provision(order: Order, capture) -> Order:
    """Run the provisioning task in-process, then what it queued after commit."""
    with capture(execute=True):
        order_provision_task.delay(order.pk)
    order.refresh_from_db()
    return order


def test_new_tenant_order_becomes_active_with_credentials_and_summary(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order(addon_quantity=3)

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.ACTIVE
    assert order.failure_reason == ""
    assert order.admin_password_encrypted == ""
    assert order.admin_user_name == "admin@nuovaimpresa2026.onmicrosoft.com"
    lines = list(order.lines.order_by("position"))
    assert [(line.sku_id, line.quantity, line.subscription_status) for line in lines] == [
        ("0001", 5, "active"),
        ("0001", 3, "active"),
    ]
    assert all(line.partner_center_subscription_id for line in lines)
    assert lines[1].base_line_id == lines[0].pk
    assert [message.subject for message in mail.outbox] == [
        f"Credenziali di accesso · {order.tenant_domain}",
        f"Riepilogo della sottoscrizione · ordine {order.number}",
    ]
    assert mail.outbox[0].to == [order.user.email, "ordini@rivenditore.example"]
    assert set(Email.objects.filter(order=order).values_list("kind", "status")) == {
        (Email.Kind.CREDENTIALS, Email.Status.SENT),
        (Email.Kind.SUBSCRIPTION_SUMMARY, Email.Status.SENT),
    }
    # What the reseller's timeline is told of each step (their messages are for staff)
    assert [
        event.parameters.get("step") or event.parameters["kind"]
        for event in order.events.exclude(type=OrderEvent.Type.STATUS_CHANGED)
    ] == [
        OrderEvent.Step.MPN,
        OrderEvent.Step.TENANT_CREATED,
        OrderEvent.Step.AGREEMENT,
        OrderEvent.Step.CART,
        OrderEvent.Step.CART_SUBMITTED,
        OrderEvent.Step.ACTIVATION,
        OrderEvent.Step.CREDENTIALS_EMAIL,
        OrderEvent.Step.SUMMARY_EMAIL,
    ]
    order.customer.refresh_from_db()
    assert str(order.customer.partner_center_customer_id) == order.partner_center_customer_id
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    operations = PartnerCenterCall.objects.filter(order_id=order.pk).order_by("pk")
    assert list(operations.values_list("operation", flat=True)) == [
        "mpn_agreement_status",
        "reseller_list",
        "customer_create",
        "mca_template",
        "mca_accept",
        "availability_list",
        "availability_list",
        "cart_create",
        "cart_checkout",
        "subscription_list",
    ]


def test_existing_tenant_with_relationship_gets_only_the_summary(
    pc_sandbox, django_capture_on_commit_callbacks
):
    user = order_user()
    order = placed_order(user=user, customer=contoso_customer(reseller=user.reseller))

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.ACTIVE
    assert order.is_new_tenant is False
    assert [message.subject for message in mail.outbox] == [
        f"Riepilogo della sottoscrizione · ordine {order.number}"
    ]
    assert "continua a usare le credenziali" in mail.outbox[0].body
    assert not PartnerCenterCall.objects.filter(order_id=order.pk, operation="customer_create")


def test_existing_tenant_without_relationship_waits_then_resumes_by_itself(
    pc_sandbox, django_capture_on_commit_callbacks
):
    user = order_user()
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))

    order = provision(order, django_capture_on_commit_callbacks)
    assert order.status == OrderStatus.AWAITING_RELATIONSHIP
    assert order.awaiting_relationship_until is not None
    assert order_check_relationship(order_id=order.pk) == RelationshipOutcome.WAITING

    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )
    with django_capture_on_commit_callbacks(execute=True):
        orders_check_relationships_task.delay()

    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    assert Customer.objects.get(pk=order.customer_id).relationship_state == (
        Customer.RelationshipState.ACCEPTED
    )
    mpn_checks = PartnerCenterCall.objects.filter(
        order_id=order.pk, operation="mpn_agreement_status"
    )
    assert mpn_checks.count() == 2  # checked again when the wait is over
    assert [event.to_status for event in order.events.filter(type="status_changed")] == [
        OrderStatus.PLACED,
        OrderStatus.PROVISIONING,
        OrderStatus.AWAITING_RELATIONSHIP,
        OrderStatus.PROVISIONING,
        OrderStatus.ACTIVE,
    ]


def test_invalid_mpn_fails_with_staff_alert_and_staff_retry_after_the_fix_activates_once(
    pc_sandbox, django_capture_on_commit_callbacks, settings
):
    settings.STAFF_ALERT_EMAILS = ["staff@distributore.example"]
    order = placed_order()
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Inactive")

    order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.FAILED
    assert order.failure_reason == FailureReason.MPN_INVALID
    assert order.partner_center_customer_id == ""  # no tenant created for an invalid reseller
    [alert] = mail.outbox
    assert alert.to == ["staff@distributore.example"]
    assert order.number in alert.subject
    assert "mpn_invalid" in alert.body

    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Active")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_retry(order_id=order.pk, user=StaffUserFactory())

    order.refresh_from_db()
    assert (order.status, order.failure_reason, order.failure_detail) == (
        OrderStatus.ACTIVE,
        "",
        "",
    )
    assert len(mail.outbox) == 2
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    retry_event = order.events.get(type=OrderEvent.Type.STATUS_CHANGED, actor="staff")
    assert retry_event.actor_user.is_staff


def test_the_admin_password_waiting_for_email_1_is_stored_only_encrypted(
    pc_sandbox, django_capture_on_commit_callbacks, caplog, client
):
    order = placed_order()
    # Stop right after the tenant exists: the MCA call is refused (400 is a business error).
    pc_sandbox.control.inject_fault(
        "status", status=400, path_regex=r"/agreements$", method="POST", count=1
    )

    with caplog.at_level(logging.DEBUG):
        order = provision(order, django_capture_on_commit_callbacks)

    assert order.status == OrderStatus.FAILED
    assert order.admin_password_encrypted.startswith("gAAAA")
    password = decrypt_text(order.admin_password_encrypted)
    assert len(password) >= 8
    assert password not in database_text()
    assert password not in caplog.text
    assert f"order {order.number}: provisioning -> failed" in caplog.text  # logs were captured
    client.force_login(StaffUserFactory())
    admin_page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert password not in admin_page
    assert order.admin_password_encrypted not in admin_page
