"""Suspend and reactivate, in-process against the Partner Center sandbox (issue 14, acceptance 5):
no seat change while suspended, the PATCH answering 200 or 202."""

import uuid

import pytest

from subscriptions import errors
from subscriptions.models import ChangeRequest, Subscription
from subscriptions.services import changes as change_service
from subscriptions.tests.factories import active_order
from tests.subscriptions_upgrades.helpers import confirm, remote_of, url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


# --- Acceptance 5: suspend, reactivate, no seat change while suspended --------------------------


def test_suspend_then_reactivate_and_no_seat_change_while_suspended(
    capture, client, pc_sandbox, signed_in, monkeypatch
):
    order = signed_in(active_order(capture, quantity=5, addon_quantity=None))
    subscription = Subscription.objects.get(order=order)

    warning = client.get(url("suspend", subscription)).content.decode()
    assert "La fatturazione continua durante la sospensione." in warning
    assert confirm(client, capture, "suspend", subscription).status_code == 302

    subscription.refresh_from_db()
    assert subscription.status == "suspended"
    remote = remote_of(
        pc_sandbox, subscription.partner_center_customer_id, subscription.partner_center_id
    )
    assert (remote.status, remote.quantity) == ("suspended", 5)
    detail = client.get(url("subscription_detail", subscription)).content.decode()
    assert "data-suspended-warning" in detail
    assert 'data-action="add_seats" data-allowed="no"' in detail
    reason = str(errors.MESSAGES["800091"]).replace("'", "&#x27;")
    assert reason in detail
    assert 'data-action="reactivate" data-allowed="yes"' in detail
    assert "è ancora sospesa, la sottoscrizione non si rinnova" in detail

    # A forged seat change is refused before any call, with the reason
    patches_before = len(pc_sandbox.control.calls(method="PATCH"))
    forged = confirm(client, capture, "add_seats", subscription, seats="2")
    assert forged.status_code == 200 and reason in forged.content.decode()
    assert ChangeRequest.objects.count() == 1
    assert len(pc_sandbox.control.calls(method="PATCH")) == patches_before

    # Forced past our checks, the sandbox refuses it with the documented error, same words
    monkeypatch.setattr(change_service, "_check_against", lambda change, remote: None)
    forced = ChangeRequest.objects.create(
        subscription=subscription,
        user=order.user,
        kind=ChangeRequest.Kind.ADD_SEATS,
        seats=2,
        idempotency_key=uuid.uuid4(),
    )
    with capture(execute=True):
        change_service.change_request_run(change_request_id=forced.pk)
    forced.refresh_from_db()
    assert (forced.status, forced.failure_code) == ("failed", "800091")
    assert forced.failure_message == str(errors.MESSAGES["800091"])
    monkeypatch.undo()

    # Reactivated: seats can change again
    assert confirm(client, capture, "reactivate", subscription).status_code == 302
    subscription.refresh_from_db()
    assert subscription.status == "active"
    assert confirm(client, capture, "add_seats", subscription, seats="2").status_code == 302
    subscription.refresh_from_db()
    assert subscription.quantity == 7
    assert list(ChangeRequest.objects.order_by("pk").values_list("kind", "status")) == [
        ("suspend", "completed"),
        ("add_seats", "failed"),
        ("reactivate", "completed"),
        ("add_seats", "completed"),
    ]


def test_a_suspended_subscription_cannot_be_suspended_again_or_upgraded(
    capture, client, pc_sandbox, signed_in
):
    order = signed_in(active_order(capture, quantity=5, addon_quantity=None))
    subscription = Subscription.objects.get(order=order)
    confirm(client, capture, "suspend", subscription)

    again = confirm(client, capture, "suspend", subscription)
    upgrade = client.get(url("upgrade", subscription)).content.decode()

    assert again.status_code == 200
    assert str(errors.MESSAGES[errors.ALREADY_SUSPENDED]).replace("'", "&#x27;") in (
        again.content.decode()
    )
    assert str(errors.MESSAGES["2"]) in upgrade
    assert ChangeRequest.objects.count() == 1


@pytest.mark.parametrize("patch_mode", ["200", "202"])
def test_suspend_completes_whether_the_patch_answers_200_or_202(
    capture, client, pc_sandbox, patch_mode, signed_in
):
    pc_sandbox.control.set_subscription_options(patch_mode=patch_mode, patch_completion_reads=2)
    order = signed_in(active_order(capture, quantity=5, addon_quantity=None))
    subscription = Subscription.objects.get(order=order)

    confirm(client, capture, "suspend", subscription)

    assert ChangeRequest.objects.get().status == "completed"
    subscription.refresh_from_db()
    assert subscription.status == "suspended"
    assert len(pc_sandbox.control.subscription_changes()) == 1
