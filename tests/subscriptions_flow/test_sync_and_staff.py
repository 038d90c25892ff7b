"""Subscriptions end to end: the sync, staff retry and cancel of a change, the e-mails, reconcile,
a change that never completes (issue 13, acceptance 5)."""

import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Email
from partnercenter.tests.helpers import cart_line, client_for, new_request_id
from subscriptions import errors
from subscriptions.models import ChangeRequest, Subscription, SubscriptionEvent, UnsoldSubscription
from subscriptions.services import changes as change_service
from subscriptions.tests.factories import mirrored_subscription
from tests.subscriptions_flow.helpers import change_url, confirm, patches, remote_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def test_sync_reports_found_changed_vanished_and_never_sold_here(bought, pc_sandbox, capsys):
    order = bought()
    base = Subscription.objects.get(order=order, parent=None)
    gone = mirrored_subscription(
        order=order, order_line=None, partner_center_customer_id=base.partner_center_customer_id
    )
    with client_for(pc_sandbox) as client:
        client.update_subscription(
            request_id=new_request_id(),
            customer_id=base.partner_center_customer_id,
            subscription=client.get_subscription(
                base.partner_center_customer_id, base.partner_center_id
            ),
            changes={"quantity": 9},
        )
        cart = client.create_cart(
            request_id=new_request_id(),
            customer_id=base.partner_center_customer_id,
            lines=[cart_line(client, "CFQ7TTC0LH18", "0001", quantity=1)],
        )
        client.checkout_cart(
            request_id=new_request_id(),
            customer_id=base.partner_center_customer_id,
            cart_id=cart.id,
        )

    call_command("sync_subscriptions", "--dry-run", "--customer", str(order.customer_id))
    dry = capsys.readouterr().out
    base.refresh_from_db()
    assert base.quantity == 5 and not UnsoldSubscription.objects.exists()

    call_command("sync_subscriptions")
    out = capsys.readouterr().out

    assert "[prova, nulla è stato modificato] cambiate: 1" in dry
    assert f"cambiate: 1 {base.partner_center_id}" in out
    assert f"sparite da Partner Center: 1 {gone.partner_center_id}" in out
    assert "in Partner Center ma mai vendute qui: 1" in out
    assert "trovate: 2" in out
    base.refresh_from_db()
    gone.refresh_from_db()
    assert base.quantity == 9
    assert base.events.filter(kind=SubscriptionEvent.Kind.SYNC_CHANGED).exists()
    assert gone.vanished_at is not None
    assert UnsoldSubscription.objects.get().title == "Microsoft 365 Business Basic"
    assert Subscription.objects.count() == 3  # never adopted


def test_sync_refuses_an_unknown_customer():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="cliente 999999 non trovato"):
        call_command("sync_subscriptions", "--customer", "999999")


def test_staff_retry_a_failed_change_from_the_admin_and_it_completes(
    bought, client, capture, pc_sandbox
):
    from storefront.tests.factories import StaffUserFactory

    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Inactive")
    confirm(client, capture, "add_seats", subscription, seats="1")
    change = ChangeRequest.objects.get()
    assert change.status == ChangeRequest.Status.FAILED
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Active")
    staff = StaffUserFactory()
    client.force_login(staff)

    with capture(execute=True):
        response = client.post(
            reverse("admin:subscriptions_changerequest_changelist"),
            {"action": "retry", "_selected_action": [change.pk]},
        )

    assert response.status_code == 302
    change.refresh_from_db()
    assert (change.status, change.failure_code) == (ChangeRequest.Status.COMPLETED, "")
    assert remote_of(pc_sandbox, subscription).quantity == 6
    assert list(change.events.values_list("to_status", "actor")) == [
        ("requested", "reseller"),
        ("submitted", "worker"),
        ("failed", "worker"),
        ("submitted", "staff"),
        ("completed", "worker"),
    ]
    assert list(Email.objects.values_list("kind", flat=True).order_by("pk"))[-2:] == [
        Email.Kind.CHANGE_FAILED,
        Email.Kind.CHANGE_COMPLETED,
    ]


def test_staff_cancel_an_open_change_and_it_never_runs(bought, client, capture, pc_sandbox):
    from storefront.tests.factories import StaffUserFactory

    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    with capture(execute=False):  # the worker does not get to it
        confirm_without_running = client.post(
            change_url("add_seats", subscription),
            {"seats": "2", "idempotency_key": str(uuid.uuid4()), "action": "confirm"},
        )
    change = ChangeRequest.objects.get()
    client.force_login(StaffUserFactory())

    client.post(
        reverse("admin:subscriptions_changerequest_changelist"),
        {"action": "cancel", "_selected_action": [change.pk]},
    )
    change_service.change_request_run(change_request_id=change.pk)

    assert confirm_without_running.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeRequest.Status.CANCELLED
    assert patches(pc_sandbox) == []


def test_the_change_email_is_in_english_for_an_english_user(bought, client, capture):
    order = bought(addon_quantity=None)
    order.user.language = "en"
    order.user.save(update_fields=["language"])
    subscription = Subscription.objects.get(order=order)

    confirm(client, capture, "add_seats", subscription, seats="2")

    (message,) = mail.outbox
    assert message.subject.startswith("Change completed · ")
    assert "2 licences added" in message.body
    html = message.alternatives[0][0]
    assert "Licences now: <strong>7</strong>" in html


def test_reconcile_knows_seats_changed_by_a_completed_change_request(bought, client, capture):
    from datetime import timedelta
    from io import StringIO

    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    confirm(client, capture, "add_seats", subscription, seats="3")
    stuck = ChangeRequest.objects.create(
        subscription=mirrored_subscription(order=order, order_line=None),
        user=order.user,
        kind=ChangeRequest.Kind.AUTO_RENEW,
        auto_renew_enabled=False,
        idempotency_key=uuid.uuid4(),
        status=ChangeRequest.Status.SUBMITTED,
    )
    ChangeRequest.objects.filter(pk=stuck.pk).update(
        updated_at=stuck.created_at - timedelta(hours=2)
    )
    out = StringIO()

    call_command("reconcile_subscriptions", stdout=out)

    lines = out.getvalue().splitlines()
    assert f"change request {stuck.pk} (auto_renew)" in lines[0]
    assert lines[-1] == "1 orders checked, 1 differences."  # the 3 added seats are explained


def test_a_202_that_never_completes_fails_visibly_after_the_activation_timeout(
    bought, client, capture, pc_sandbox, settings
):
    settings.ORDER_ACTIVATION_TIMEOUT_MINUTES = 0
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    pc_sandbox.control.set_subscription_options(patch_mode="202", patch_completion_reads=1000)

    confirm(client, capture, "add_seats", subscription, seats="1")

    change = ChangeRequest.objects.get()
    assert (change.status, change.failure_code) == (
        ChangeRequest.Status.FAILED,
        errors.PARTNER_CENTER_UNAVAILABLE,
    )
    assert len(patches(pc_sandbox)) == 1  # polled, never sent again
    assert mail.outbox[-1].subject.startswith("Modifica non riuscita")
