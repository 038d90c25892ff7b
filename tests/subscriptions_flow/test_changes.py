"""Subscriptions end to end, in-process against the Partner Center sandbox: the mirror after an
order activates, adding and removing seats, cancelling, auto-renew, the business clock, faults
(issue 13, acceptance 1–4)."""

import uuid

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from notifications.models import Email
from subscriptions import errors
from subscriptions.models import ChangeRequest, Subscription, SubscriptionEvent
from subscriptions.services import changes as change_service
from tests.subscriptions_flow.helpers import change_url, confirm, patches, remote_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def test_an_activated_orders_subscriptions_appear_with_partner_center_facts(bought, client):
    order = bought()

    base, addon = Subscription.objects.filter(order=order).order_by("parent", "pk")
    base, addon = (base, addon) if addon.parent_id else (addon, base)
    base_line, addon_line = order.lines.order_by("position")
    assert [
        (s.partner_center_id, s.title, s.quantity, s.term, s.billing, s.status)
        for s in (base, addon)
    ] == [
        (
            line.partner_center_subscription_id,
            line.sku_title,
            line.quantity,
            line.term,
            line.billing,
            "active",
        )
        for line in (base_line, addon_line)
    ]
    assert addon.parent_id == base.pk
    assert (base.customer, base.reseller, base.partner_id) == (
        order.customer,
        order.reseller,
        order.mpn_id,
    )
    assert base.auto_renew_enabled is True
    assert base.refundable_quantity == 5
    assert [bucket["quantity"] for bucket in base.refund_buckets] == [5]
    assert base.cancellation_allowed_until is not None
    assert base.commitment_end > base.cancellation_allowed_until
    assert base.events.get().kind == SubscriptionEvent.Kind.MIRRORED

    page = client.get(reverse("subscriptions:subscription_list")).content.decode()
    assert base.title in page and addon.title in page and order.customer.company_name in page


def test_adding_three_seats_makes_one_change_even_when_submitted_twice(
    bought, client, capture, pc_sandbox
):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    data = {"seats": "3", "idempotency_key": str(uuid.uuid4()), "action": "confirm"}

    with capture(execute=True):
        first = client.post(change_url("add_seats", subscription), data)
        second = client.post(change_url("add_seats", subscription), data)

    assert (first.status_code, second.status_code) == (302, 302)
    change = ChangeRequest.objects.get(subscription=subscription)
    assert change.status == ChangeRequest.Status.COMPLETED
    remote = remote_of(pc_sandbox, subscription)
    assert (remote.quantity, [b.quantity for b in remote.refund_buckets]) == (8, [5, 3])
    subscription.refresh_from_db()
    assert (subscription.quantity, subscription.refundable_quantity) == (8, 8)
    assert len(pc_sandbox.control.subscription_changes()) == 1
    page = client.get(change_url("subscription_detail", subscription)).content.decode()
    assert "3 licenze riducibili fino al" in page
    assert "5 licenze riducibili fino al" in page
    (message,) = mail.outbox
    assert message.subject == f"Modifica completata · {subscription.title} · Contoso Italia S.p.A."
    assert "3 licenze aggiunte" in message.body
    assert "Licenze ora: 8" in message.body
    assert message.to == [order.user.email, "ordini@rivenditore.example"]


def test_the_add_seats_page_shows_the_cost_to_term_end_and_the_estimate_to_month_end(
    bought, client
):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)

    response = client.post(
        change_url("add_seats", subscription),
        {"seats": "3", "idempotency_key": str(uuid.uuid4()), "action": "preview"},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Costo di 3 licenze fino alla fine del periodo" in page
    assert "Utilizzo stimato fino a fine mese" in page
    assert not ChangeRequest.objects.exists()


def test_seats_removed_inside_the_window_then_refused_after_eight_days(
    bought, client, capture, pc_sandbox, monkeypatch
):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)

    # Inside the window: removed
    assert confirm(client, capture, "remove_seats", subscription, seats="2").status_code == 302
    subscription.refresh_from_db()
    assert subscription.quantity == 3
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.COMPLETED

    # Eight days later, after a sync: refused before any call, with the reason and the next step
    pc_sandbox.control.advance_clock("P8D")
    call_command("sync_subscriptions")
    subscription.refresh_from_db()
    assert subscription.refundable_quantity == 0
    calls_before = len(patches(pc_sandbox))
    refused = confirm(client, capture, "remove_seats", subscription, seats="1")
    page = refused.content.decode()
    assert refused.status_code == 200
    assert str(errors.MESSAGES["800090"]).replace("'", "&#x27;") in page
    assert "Pianifica per il rinnovo" in page
    assert ChangeRequest.objects.count() == 1
    assert len(patches(pc_sandbox)) == calls_before

    # Forced past our checks, the PATCH gets 800090, told in the same words
    monkeypatch.setattr(change_service, "_check_against", lambda change, remote: None)
    forced = ChangeRequest.objects.create(
        subscription=subscription,
        user=order.user,
        kind=ChangeRequest.Kind.REMOVE_SEATS,
        seats=1,
        idempotency_key=uuid.uuid4(),
    )
    with capture(execute=True):
        change_service.change_request_run(change_request_id=forced.pk)
    forced.refresh_from_db()
    assert (forced.status, forced.failure_code) == (ChangeRequest.Status.FAILED, "800090")
    assert forced.failure_message == str(errors.MESSAGES["800090"])
    assert len(patches(pc_sandbox)) == calls_before + 1
    assert remote_of(pc_sandbox, subscription).quantity == 3
    assert [m.subject.split(" · ")[0] for m in mail.outbox][-1] == "Modifica non riuscita"


def test_cancelling_inside_the_window_deletes_the_addons_first(bought, client, capture, pc_sandbox):
    order = bought()
    base = Subscription.objects.get(order=order, parent=None)
    addon = base.addons.get()

    response = confirm(client, capture, "cancel", base, confirm_name=base.title.upper())

    assert response.status_code == 302
    assert ChangeRequest.objects.get().status == ChangeRequest.Status.COMPLETED
    assert set(Subscription.objects.values_list("status", flat=True)) == {"deleted"}
    assert [change["subscription_id"] for change in pc_sandbox.control.subscription_changes()] == [
        addon.partner_center_id,
        base.partner_center_id,
    ]


def test_a_cancel_with_the_wrong_name_is_refused(bought, client, capture, pc_sandbox):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)

    response = confirm(client, capture, "cancel", subscription, confirm_name="Sì, cancella")

    assert response.status_code == 200
    assert "Il nome scritto non corrisponde" in response.content.decode()
    assert not ChangeRequest.objects.exists()
    assert patches(pc_sandbox) == []


def test_after_the_window_cancel_is_not_offered_and_a_forged_post_is_refused(
    bought, client, capture, pc_sandbox
):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    pc_sandbox.control.advance_clock("P8D")
    call_command("sync_subscriptions")

    page = client.get(change_url("subscription_detail", subscription)).content.decode()
    forged = confirm(client, capture, "cancel", subscription, confirm_name=subscription.title)

    assert 'data-action="cancel" data-allowed="no"' in page
    assert "La finestra di cancellazione di 7 giorni è chiusa" in page
    assert forged.status_code == 200
    assert not ChangeRequest.objects.exists()
    assert patches(pc_sandbox) == []
    assert remote_of(pc_sandbox, subscription).status == "active"


def test_auto_renew_is_turned_off(bought, client, capture, pc_sandbox):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)

    response = confirm(client, capture, "auto_renew", subscription, enabled="off")

    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.auto_renew_enabled is False
    assert remote_of(pc_sandbox, subscription).auto_renew_enabled is False
    assert remote_of(pc_sandbox, subscription).quantity == 5  # the other fields kept


def test_a_reseller_not_valid_as_partner_of_record_is_told_before_any_patch(
    bought, client, capture, pc_sandbox
):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    pc_sandbox.control.set_reseller(order.mpn_id, relationship_state="Inactive")

    confirm(client, capture, "add_seats", subscription, seats="1")

    change = ChangeRequest.objects.get()
    assert (change.status, change.failure_code) == (ChangeRequest.Status.FAILED, "900400")
    assert patches(pc_sandbox) == []
    (message,) = mail.outbox
    assert "partner of record" in message.body
    assert Email.objects.get(kind=Email.Kind.CHANGE_FAILED).status == Email.Status.SENT


FAULTS = {
    "503": {"kind": "status", "status": 503, "count": 2},
    "429": {"kind": "rate_limit", "retry_after": 0, "count": 2},
    "lost-after-commit": {"kind": "drop_after_commit", "count": 1},
}


@pytest.mark.parametrize("fault", [*FAULTS, "202"])
def test_with_faults_every_change_completes_once_without_duplicates(
    bought, client, capture, pc_sandbox, fault
):
    order = bought(addon_quantity=None)
    subscription = Subscription.objects.get(order=order)
    if fault == "202":
        pc_sandbox.control.set_subscription_options(patch_mode="202", patch_completion_reads=3)
    else:
        pc_sandbox.control.inject_fault(
            method="PATCH", path_prefix="/v1/customers/", **FAULTS[fault]
        )

    confirm(client, capture, "add_seats", subscription, seats="3")
    confirm(client, capture, "auto_renew", subscription, enabled="off")

    assert list(ChangeRequest.objects.values_list("status", flat=True)) == ["completed"] * 2
    remote = remote_of(pc_sandbox, subscription)
    assert (remote.quantity, remote.auto_renew_enabled) == (8, False)
    assert len(pc_sandbox.control.subscription_changes()) == 2
    assert "changes" not in pc_sandbox.control.duplicates()
    assert Email.objects.filter(kind=Email.Kind.CHANGE_COMPLETED).count() == 2
    assert len(mail.outbox) == 2
