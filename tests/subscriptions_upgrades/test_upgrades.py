"""Upgrades now, in-process against the Partner Center sandbox (issue 14, acceptance 4): partial
upgrade into a new or an existing subscription, the add-on block refused before any call under
each candidate rule, faults on the POST, a Failed transition, a full upgrade, staff retry."""

import pytest
from django.core import mail
from django.urls import reverse

from orders.tests.factories import BUSINESS_STANDARD, contoso_customer, order_user
from subscriptions import errors
from subscriptions.models import ChangeRequest, Subscription, SubscriptionEvent
from subscriptions.tests.factories import active_order
from subscriptions.tests.upgrade_factories import basic_order
from tests.subscriptions_upgrades.helpers import (
    BUSINESS_PREMIUM_OFFER,
    BUSINESS_STANDARD_OFFER,
    confirm,
    remote_of,
    transition_posts,
    upgrade_page,
    url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


# --- Acceptance 4: Business Basic → Business Standard, 5 of 10 ------------------------------


def test_a_partial_upgrade_leaves_two_subscriptions_with_the_right_seats_and_windows(
    capture, client, pc_sandbox, signed_in
):
    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    page = upgrade_page(client, capture, basic)
    assert 'data-target="CFQ7TTC0LDPB:0001" data-eligible="yes"' in page
    pc_sandbox.control.clear_calls()

    response = confirm(
        client, capture, "upgrade", basic, target=BUSINESS_STANDARD_OFFER, seats="5", destination=""
    )

    assert response.status_code == 302
    change = ChangeRequest.objects.get()
    assert (change.kind, change.status) == ("upgrade", "completed")
    basic.refresh_from_db()
    standard = Subscription.objects.exclude(pk=basic.pk).get()
    assert (basic.title, basic.quantity, basic.status) == (
        "Microsoft 365 Business Basic",
        5,
        "active",
    )
    assert (standard.title, standard.quantity, standard.status) == (
        "Microsoft 365 Business Standard",
        5,
        "active",
    )
    # The new subscription inherits the source's term and its cancellation window
    assert standard.started_at == basic.started_at
    assert standard.commitment_end == basic.commitment_end
    assert standard.cancellation_allowed_until == basic.cancellation_allowed_until
    assert (standard.term, standard.billing) == (basic.term, basic.billing)
    assert (standard.customer, standard.order, standard.reseller) == (
        basic.customer,
        basic.order,
        basic.reseller,
    )
    assert change.target_partner_center_id == standard.partner_center_id
    assert standard.events.get().kind == SubscriptionEvent.Kind.MIRRORED
    # Partner Center agrees, and made one transition
    for row in (basic, standard):
        remote = remote_of(pc_sandbox, row.partner_center_customer_id, row.partner_center_id)
        assert remote.quantity == row.quantity
    assert len(transition_posts(pc_sandbox)) == 1
    (message,) = mail.outbox
    assert message.subject.startswith("Modifica completata")
    assert "5 licenze passate a Microsoft 365 Business Standard" in message.body
    detail = client.get(url("subscription_detail", basic)).content.decode()
    assert "5 licenze passate a Microsoft 365 Business Standard" in detail


@pytest.mark.parametrize("casing", ["camel", "pascal"])
def test_seats_upgrade_into_an_existing_subscription(
    capture, client, pc_sandbox, casing, signed_in
):
    """The casing of subscriptionEligibilities is unconfirmed: the storefront reads both."""
    pc_sandbox.control.set_transition_options(eligibility_casing=casing)
    user = order_user()
    customer = contoso_customer(reseller=user.reseller)
    standard_order = basic_order(
        capture, user=user, customer=customer, quantity=4, offer=BUSINESS_STANDARD
    )
    standard = Subscription.objects.get(order=standard_order)
    order = signed_in(basic_order(capture, user=user, customer=customer, quantity=10))
    basic = Subscription.objects.get(order=order)

    page = upgrade_page(client, capture, basic)
    assert f'<option value="{standard.partner_center_id}"' in page
    confirm(
        client,
        capture,
        "upgrade",
        basic,
        target=BUSINESS_STANDARD_OFFER,
        seats="3",
        destination=standard.partner_center_id,
    )

    assert ChangeRequest.objects.get().status == "completed"
    basic.refresh_from_db()
    standard.refresh_from_db()
    assert (basic.quantity, standard.quantity) == (7, 7)
    assert Subscription.objects.count() == 2


# --- Add-ons: refused before any call, under each candidate rule --------------------------------


@pytest.mark.parametrize("rule", ["incompatible", "any"])
def test_an_upgrade_blocked_by_an_addon_is_refused_before_any_call_with_the_reason(
    capture, client, pc_sandbox, rule, signed_in
):
    pc_sandbox.control.set_transition_options(addon_rule=rule)
    order = signed_in(active_order(capture, quantity=5, addon_quantity=2))
    standard = Subscription.objects.get(order=order, parent=None)

    page = upgrade_page(client, capture, standard)
    forged = confirm(client, capture, "upgrade", standard, target=BUSINESS_PREMIUM_OFFER, seats="5")

    reason = str(errors.MESSAGES["6"]).replace("'", "&#x27;")
    assert f'data-target="{BUSINESS_PREMIUM_OFFER}" data-eligible="no"' in page
    assert reason in page
    assert "Exchange Online Archiving for Exchange Online" in page
    assert forged.status_code == 200
    assert reason in forged.content.decode()
    assert not ChangeRequest.objects.exists()
    assert transition_posts(pc_sandbox) == []
    remote = remote_of(pc_sandbox, standard.partner_center_customer_id, standard.partner_center_id)
    assert remote.quantity == 5


def test_when_addons_do_not_block_they_are_shown_as_remaining_on_the_source(
    capture, client, pc_sandbox, signed_in
):
    pc_sandbox.control.set_transition_options(addon_rule="none")
    order = signed_in(active_order(capture, quantity=5, addon_quantity=2))
    standard = Subscription.objects.get(order=order, parent=None)

    page = upgrade_page(client, capture, standard)
    confirm(client, capture, "upgrade", standard, target=BUSINESS_PREMIUM_OFFER, seats="2")

    assert f'data-target="{BUSINESS_PREMIUM_OFFER}" data-eligible="yes"' in page
    assert "data-addons-remain" in page
    assert ChangeRequest.objects.get().status == "completed"
    addon = Subscription.objects.get(order=order, parent=standard)
    assert (addon.parent_id, addon.status) == (standard.pk, "active")


def test_an_addon_added_after_the_page_was_read_fails_the_upgrade_before_the_post(
    capture, client, pc_sandbox, signed_in
):
    """The worker asks the eligibilities again: Partner Center's fresh facts win."""
    order = signed_in(active_order(capture, quantity=5, addon_quantity=2))
    standard = Subscription.objects.get(order=order, parent=None)
    pc_sandbox.control.set_transition_options(addon_rule="none")
    upgrade_page(client, capture, standard)
    pc_sandbox.control.set_transition_options(addon_rule="any")

    confirm(client, capture, "upgrade", standard, target=BUSINESS_PREMIUM_OFFER, seats="5")

    change = ChangeRequest.objects.get()
    assert (change.status, change.failure_code) == ("failed", "6")
    assert transition_posts(pc_sandbox) == []
    assert mail.outbox[-1].subject.startswith("Modifica non riuscita")


# --- Faults and outcomes ------------------------------------------------------------------------


FAULTS = {
    "503": {"kind": "status", "status": 503, "count": 2},
    "lost-after-commit": {"kind": "drop_after_commit", "count": 1},
}


@pytest.mark.parametrize("fault", FAULTS)
def test_with_faults_on_the_post_the_upgrade_happens_once(
    capture, client, pc_sandbox, fault, signed_in
):
    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    upgrade_page(client, capture, basic)
    pc_sandbox.control.inject_fault(
        method="POST", path_regex=r"/subscriptions/[^/]+/transitions$", **FAULTS[fault]
    )

    confirm(client, capture, "upgrade", basic, target=BUSINESS_STANDARD_OFFER, seats="5")

    assert ChangeRequest.objects.get().status == "completed"
    assert len(pc_sandbox.control.transitions()) == 1
    posts = transition_posts(pc_sandbox)
    assert [bool(call["fault"]) for call in posts] == (
        [True, True, False] if fault == "503" else [True, False]
    )
    if fault == "lost-after-commit":  # the same MS-RequestId again, answered from the first run
        assert posts[0]["ms_request_id"] == posts[1]["ms_request_id"]
        assert posts[1]["replayed"] is True
    assert "changes" not in pc_sandbox.control.duplicates()
    basic.refresh_from_db()
    assert basic.quantity == 5
    assert Subscription.objects.filter(title="Microsoft 365 Business Standard").get().quantity == 5
    assert len(mail.outbox) == 1


def test_a_failed_transition_fails_the_request_and_moves_nothing(
    capture, client, pc_sandbox, signed_in
):
    pc_sandbox.control.set_transition_options(outcome="failed")
    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    upgrade_page(client, capture, basic)

    confirm(client, capture, "upgrade", basic, target=BUSINESS_STANDARD_OFFER, seats="5")

    change = ChangeRequest.objects.get()
    assert (change.status, change.failure_code) == ("failed", errors.UPGRADE_FAILED)
    basic.refresh_from_db()
    assert basic.quantity == 10
    assert Subscription.objects.count() == 1
    assert mail.outbox[-1].subject.startswith("Modifica non riuscita")


def test_upgrading_more_seats_than_the_subscription_has_is_refused(
    capture, client, pc_sandbox, signed_in
):
    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    upgrade_page(client, capture, basic)

    response = confirm(
        client, capture, "upgrade", basic, target=BUSINESS_STANDARD_OFFER, seats="11"
    )

    assert response.status_code == 200
    assert "Al massimo 10 licenze." in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_a_full_upgrade_ends_the_source_and_moves_every_seat(
    capture, client, pc_sandbox, signed_in
):
    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    upgrade_page(client, capture, basic)

    confirm(client, capture, "upgrade", basic, target=BUSINESS_STANDARD_OFFER, seats="10")

    basic.refresh_from_db()
    standard = Subscription.objects.exclude(pk=basic.pk).get()
    assert (basic.status, standard.quantity, standard.status) == ("expired", 10, "active")
    detail = client.get(url("subscription_detail", basic)).content.decode()
    assert 'data-action="upgrade" data-allowed="no"' in detail


def test_the_upgrade_page_in_english(capture, client, pc_sandbox, signed_in):
    order = signed_in(active_order(capture, quantity=5, addon_quantity=2))
    order.user.language = "en"
    order.user.save(update_fields=["language"])
    standard = Subscription.objects.get(order=order, parent=None)

    with capture(execute=True):
        client.get(url("upgrade", standard))
    page = client.get(url("upgrade", standard), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "The upgrade is blocked by this subscription&#x27;s add-ons" in page
    assert "Upgrade to a higher product" in page


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("seats", "<script>alert(1)</script>"),
        ("seats", "0"),
        ("seats", "99999999999999999999"),
        ("target", "<script>alert(1)</script>"),
        ("destination", "' OR 1=1 --"),
        ("idempotency_key", "\x00"),
    ],
)
def test_hostile_upgrade_input_gives_a_message_never_a_500(
    capture, client, pc_sandbox, signed_in, field, value
):
    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    upgrade_page(client, capture, basic)
    data = {"target": BUSINESS_STANDARD_OFFER, "seats": "5", "destination": "", field: value}

    response = confirm(client, capture, "upgrade", basic, **data)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert not ChangeRequest.objects.exists()
    assert transition_posts(pc_sandbox) == []


def test_staff_retry_a_failed_transition_and_the_seats_move_once(
    capture, client, pc_sandbox, signed_in
):
    from storefront.tests.factories import StaffUserFactory

    pc_sandbox.control.set_transition_options(outcome="failed")
    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    upgrade_page(client, capture, basic)
    confirm(client, capture, "upgrade", basic, target=BUSINESS_STANDARD_OFFER, seats="5")
    change = ChangeRequest.objects.get()
    assert change.status == "failed"
    pc_sandbox.control.set_transition_options(outcome="completed")
    client.force_login(StaffUserFactory())

    with capture(execute=True):
        client.post(
            reverse("admin:subscriptions_changerequest_changelist"),
            {"action": "retry", "_selected_action": [change.pk]},
        )

    change.refresh_from_db()
    assert change.status == "completed"
    assert [t["status"] for t in pc_sandbox.control.transitions()] == ["Failed", "Completed"]
    basic.refresh_from_db()
    assert basic.quantity == 5
    assert Subscription.objects.get(title="Microsoft 365 Business Standard").quantity == 5


def test_reconcile_knows_the_subscription_an_upgrade_made(capture, client, pc_sandbox, signed_in):
    from io import StringIO

    from django.core.management import call_command

    order = signed_in(basic_order(capture, quantity=10))
    basic = Subscription.objects.get(order=order)
    upgrade_page(client, capture, basic)
    confirm(client, capture, "upgrade", basic, target=BUSINESS_STANDARD_OFFER, seats="5")
    out = StringIO()

    call_command("reconcile_subscriptions", stdout=out)

    assert out.getvalue().splitlines()[-1] == "1 orders checked, 0 differences."
