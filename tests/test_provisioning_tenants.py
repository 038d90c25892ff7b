"""Two orders for one new-tenant customer, both placed before the tenant exists: the first
creates the tenant and sends its credentials, the second links it and sends only its summary."""

import pytest
from django.core import mail

from notifications.models import Email
from orders.models import OrderStatus
from orders.provisioning import order_provision
from orders.tests.factories import new_tenant_customer, order_user, placed_order
from orders.tests.helpers import sandbox_duplicates

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def test_second_order_for_a_tenant_created_meanwhile_sends_only_its_summary(pc_sandbox):
    # Given two orders for the same new tenant, placed before either was provisioned
    user = order_user()
    customer = new_tenant_customer(reseller=user.reseller)
    first = placed_order(user=user, customer=customer)
    second = placed_order(user=user, customer=customer)
    assert (first.is_new_tenant, second.is_new_tenant) == (True, True)

    # When the first creates the tenant and then the second is provisioned
    assert order_provision(order_id=first.pk) is None
    mail.outbox.clear()
    assert order_provision(order_id=second.pk) is None

    # Then the second is active, linked to the same tenant, without a credentials e-mail
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == OrderStatus.ACTIVE
    assert second.status == OrderStatus.ACTIVE
    assert second.is_new_tenant is False
    assert second.partner_center_customer_id == first.partner_center_customer_id
    assert second.admin_password_encrypted == ""
    assert [message.subject for message in mail.outbox] == [
        f"Riepilogo della sottoscrizione · ordine {second.number}"
    ]
    assert list(Email.objects.filter(order=second).values_list("kind", "status")) == [
        (Email.Kind.SUBSCRIPTION_SUMMARY, Email.Status.SENT)
    ]
    customer_posts = [
        call
        for call in pc_sandbox.control.calls(method="POST")
        if call["path"].endswith("/v1/customers")
    ]
    assert len(customer_posts) == 1
    assert sandbox_duplicates(pc_sandbox)["customers"] == 0
