"""Renewal plans, renewals and reminders in-process against the Partner Center sandbox and its
business clock (issue 14, acceptance 1–3): a plan of 101 seats on 200 renews at 101 with the
"renewed" e-mail read from the SMTP server; seats added after planning make Partner Center drop
the plan and the storefront sets it again; each reminder exactly once; a kind turned off is not
sent; removing a plan under each candidate behaviour of Partner Center."""

import uuid
from datetime import timedelta
from email.header import decode_header, make_header

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from partnercenter.tests.helpers import client_for
from subscriptions.models import (
    ChangeRequest,
    Reminder,
    ReminderKind,
    ReminderOptOut,
    RenewalPlan,
    Subscription,
    SubscriptionEvent,
)
from subscriptions.renewal_selectors import plan_options
from subscriptions.services.reminders import reminders_send
from subscriptions.tests.factories import active_order

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def bought(pc_sandbox, capture, client):
    def buy(**options):
        order = active_order(capture, addon_quantity=None, **options)
        client.force_login(order.user)
        mail.outbox.clear()
        pc_sandbox.control.clear_calls()
        return order, Subscription.objects.get(order=order)

    return buy


def own_option(subscription: Subscription):
    (option,) = [
        option
        for option in plan_options(subscription=subscription)
        if (option.product_id, option.sku_id, option.term, option.billing)
        == (subscription.product_id, subscription.sku_id, subscription.term, subscription.billing)
    ]
    return option


def post(client, capture, name: str, subscription: Subscription, **fields):
    data = {"idempotency_key": str(uuid.uuid4()), "action": "confirm", **fields}
    url = reverse(f"subscriptions:{name}", kwargs={"pk": subscription.pk})
    with capture(execute=True):
        return client.post(url, data)


def plan(client, capture, subscription: Subscription, quantity: int):
    response = post(
        client,
        capture,
        "plan_renewal",
        subscription,
        quantity=str(quantity),
        target=str(own_option(subscription).plan_id),
    )
    assert response.status_code == 302, response.content.decode()[:2000]


def remote_of(pc_sandbox, subscription: Subscription):
    with client_for(pc_sandbox) as client:
        return client.get_subscription(
            subscription.partner_center_customer_id, subscription.partner_center_id
        )


def business_now(pc_sandbox):
    return parse_datetime(pc_sandbox.control.clock()["now"])


def subjects(messages) -> list[str]:
    return [str(make_header(decode_header(message["Subject"]))) for message in messages]


def test_a_plan_of_101_seats_on_200_renews_at_101_and_says_the_window_is_open(
    bought, client, capture, pc_sandbox, smtp
):
    order, subscription = bought(quantity=200)

    plan(client, capture, subscription, 101)

    change = ChangeRequest.objects.get(kind=ChangeRequest.Kind.PLAN_RENEWAL)
    assert change.status == ChangeRequest.Status.COMPLETED
    remote = remote_of(pc_sandbox, subscription)
    assert (remote.quantity, remote.scheduled_next_term["quantity"]) == (200, 101)
    subscription.refresh_from_db()
    assert subscription.scheduled_next_term["quantity"] == 101
    assert RenewalPlan.objects.get(subscription=subscription).next_term["quantity"] == 101
    page = client.get(reverse("subscriptions:subscription_detail", args=[subscription.pk]))
    text = page.content.decode()
    assert "si rinnova con il piano" in text and "101 licenze" in text
    assert "al listino di oggi" in text
    smtp.clear()

    # Past the term end on the sandbox clock: Partner Center renews at 101; the sync sees it
    pc_sandbox.control.advance_clock("P367D")
    call_command("sync_subscriptions")

    subscription.refresh_from_db()
    assert (subscription.quantity, subscription.status) == (101, "active")
    assert subscription.scheduled_next_term is None
    assert subscription.refundable_quantity == 101
    now = business_now(pc_sandbox)
    assert now < subscription.cancellation_allowed_until <= now + timedelta(days=7)
    assert not RenewalPlan.objects.filter(subscription=subscription).exists()
    renewed = subscription.events.get(kind=SubscriptionEvent.Kind.RENEWED)
    assert "101 licenze" in renewed.summary_display
    assert "finestra di cancellazione aperta fino al" in renewed.summary_display

    with capture(execute=True):
        assert reminders_send(now=now) == 1
    with capture(execute=True):
        assert reminders_send(now=now) == 0
    (message,) = smtp.wait_for(1)
    assert subjects([message]) == [f"Rinnovata · {subscription.title} · Contoso Italia S.p.A."]
    body = message.get_payload()[0].get_payload(decode=True).decode()
    assert "101 licenze" in body
    assert "Finestra aperta fino al" in body
    assert message["To"] == order.user.email


def test_seats_added_after_planning_drop_the_plan_and_the_storefront_sets_it_again(
    bought, client, capture, pc_sandbox
):
    _, subscription = bought(quantity=200)
    plan(client, capture, subscription, 101)

    assert post(client, capture, "add_seats", subscription, seats="3").status_code == 302

    kinds = list(ChangeRequest.objects.order_by("pk").values_list("kind", "status"))
    assert kinds == [
        ("plan_renewal", "completed"),
        ("add_seats", "completed"),
        ("plan_renewal", "completed"),
    ]
    changes = pc_sandbox.control.subscription_changes()
    assert [sorted(change["changes"]) for change in changes] == [
        ["next_term"],
        ["quantity"],
        ["next_term"],
    ]
    remote = remote_of(pc_sandbox, subscription)
    assert (remote.quantity, remote.scheduled_next_term["quantity"]) == (203, 101)
    reapplied = subscription.events.get(kind=SubscriptionEvent.Kind.PLAN_REAPPLIED)
    assert "ha rimosso il piano di rinnovo" in reapplied.summary_display
    page = client.get(reverse("subscriptions:subscription_detail", args=[subscription.pk]))
    assert "lo abbiamo riapplicato" in page.content.decode()


def test_a_plan_is_dropped_by_a_sync_finding_someone_elses_change_and_set_again(
    bought, client, capture, pc_sandbox
):
    _, subscription = bought(quantity=20)
    plan(client, capture, subscription, 10)
    # A change made elsewhere (Partner Center's own portal): seats added, the plan gone
    with client_for(pc_sandbox) as pc:
        remote = pc.get_subscription(
            subscription.partner_center_customer_id, subscription.partner_center_id
        )
        pc.update_subscription(
            request_id=str(uuid.uuid4()),
            customer_id=subscription.partner_center_customer_id,
            subscription=remote,
            changes={"quantity": 21},
        )

    with capture(execute=True):
        call_command("sync_subscriptions")

    assert remote_of(pc_sandbox, subscription).scheduled_next_term["quantity"] == 10
    assert subscription.events.filter(kind=SubscriptionEvent.Kind.PLAN_REAPPLIED).count() == 1


@pytest.mark.parametrize("schedule_removal", ["null", "empty_object"])
def test_a_plan_is_removed_whichever_way_partner_center_wants_it(
    bought, client, capture, pc_sandbox, schedule_removal
):
    pc_sandbox.control.set_subscription_options(schedule_removal=schedule_removal)
    _, subscription = bought(quantity=20)
    plan(client, capture, subscription, 10)

    assert post(client, capture, "remove_plan", subscription).status_code == 302

    assert remote_of(pc_sandbox, subscription).scheduled_next_term is None
    assert ChangeRequest.objects.get(kind="remove_plan").status == "completed"
    assert not RenewalPlan.objects.exists()
    # Nothing is re-applied after a removal the reseller asked for
    call_command("sync_subscriptions")
    assert ChangeRequest.objects.count() == 2


def test_a_plan_needs_auto_renew_and_a_target_partner_center_allows(
    bought, client, capture, pc_sandbox
):
    _, subscription = bought(quantity=20)
    assert post(client, capture, "auto_renew", subscription, enabled="off").status_code == 302

    page = client.get(reverse("subscriptions:plan_renewal", args=[subscription.pk]))
    assert "rinnovo automatico attivo" in page.content.decode()
    refused = post(
        client,
        capture,
        "plan_renewal",
        subscription,
        quantity="5",
        target=str(own_option(subscription).plan_id),
    )
    assert refused.status_code == 200
    assert ChangeRequest.objects.filter(kind="plan_renewal").count() == 0


def test_hostile_plan_input_is_a_message_never_a_change(bought, client, capture, pc_sandbox):
    _, subscription = bought(quantity=20)
    option = own_option(subscription)
    for quantity, target in (("0", option.plan_id), ("5", "999999"), ("x'<", option.plan_id)):
        response = post(
            client, capture, "plan_renewal", subscription, quantity=quantity, target=str(target)
        )
        assert response.status_code == 200
    response = post(
        client, capture, "plan_renewal", subscription, quantity="301", target=option.plan_id
    )
    assert "vanno da 1 a 300" in response.content.decode()
    assert not ChangeRequest.objects.exists()


def test_reminders_are_sent_once_each_through_a_purchase_window_and_a_renewal(
    bought, capture, pc_sandbox, smtp
):
    _, subscription = bought(quantity=5)
    smtp.clear()
    start = business_now(pc_sandbox)
    window_end = subscription.cancellation_allowed_until
    renewal = subscription.commitment_end
    moments = [
        start + timedelta(days=1),  # nothing due
        window_end - timedelta(hours=20),  # the window closes within 24 h
        window_end - timedelta(hours=2),
        renewal - timedelta(days=29),  # 30 days before
        renewal - timedelta(days=20),
        renewal - timedelta(days=6),  # 7 days
        renewal - timedelta(hours=20),  # 1 day
        renewal - timedelta(hours=1),
    ]
    for moment in moments:
        for _ in range(3):  # the periodic task runs many times
            with capture(execute=True):
                reminders_send(now=moment)

    kinds = list(Reminder.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["window_closing", "renewal_30", "renewal_7", "renewal_1"]
    messages = smtp.wait_for(4)
    assert [subject.split(" · ")[0] for subject in subjects(messages)] == [
        "Finestra di cancellazione in chiusura",
        "Rinnovo tra 30 giorni",
        "Rinnovo tra 7 giorni",
        "Rinnovo domani",
    ]
    renewal_body = messages[1].get_payload()[0].get_payload(decode=True).decode()
    assert "Piano di rinnovo: nessuno" in renewal_body
    assert f"/sottoscrizioni/{subscription.pk}/#rinnovo" in renewal_body

    # Across the renewal on the sandbox clock: "renewed" once, however often the task runs
    pc_sandbox.control.advance_clock("P367D")
    call_command("sync_subscriptions")
    now = business_now(pc_sandbox)
    for _ in range(3):
        with capture(execute=True):
            reminders_send(now=now)
    assert Reminder.objects.filter(kind="renewed").count() == 1
    assert subjects(smtp.wait_for(5))[-1].startswith("Rinnovata · ")
    assert len(smtp.messages) == 5


def test_a_kind_turned_off_in_the_profile_is_not_sent(bought, client, capture, pc_sandbox):
    _, subscription = bought(quantity=5)
    response = client.post(
        reverse("subscriptions:reminder_preferences"),
        {"window_closing": "on", "renewed": "on", "change_failed": "on"},
    )
    assert response.status_code == 302
    assert set(ReminderOptOut.objects.values_list("kind", flat=True)) == {
        ReminderKind.RENEWAL_UPCOMING
    }

    with capture(execute=True):
        reminders_send(now=subscription.commitment_end - timedelta(days=6))
        reminders_send(now=subscription.cancellation_allowed_until - timedelta(hours=1))

    assert list(Reminder.objects.values_list("kind", flat=True)) == ["window_closing"]
    assert [m.subject.split(" · ")[0] for m in mail.outbox] == [
        "Finestra di cancellazione in chiusura"
    ]
    page = client.get(reverse("subscriptions:reminder_preferences")).content.decode()
    assert 'name="renewal_upcoming" id="id_renewal_upcoming">' in page


def test_reminders_are_in_english_for_an_english_user(bought, capture, pc_sandbox):
    order, subscription = bought(quantity=5)
    order.user.language = "en"
    order.user.save(update_fields=["language"])

    with capture(execute=True):
        reminders_send(now=subscription.commitment_end - timedelta(days=6))

    (message,) = mail.outbox
    assert message.subject.startswith("Renewal in 7 days · ")
    assert "Change the renewal plan" in message.alternatives[0][0]


def test_without_auto_renew_the_timeline_shows_the_expiry_then_the_disabling(
    bought, client, capture, pc_sandbox
):
    _, subscription = bought(quantity=5)
    assert post(client, capture, "auto_renew", subscription, enabled="off").status_code == 302

    pc_sandbox.control.advance_clock("P367D")
    call_command("sync_subscriptions")
    subscription.refresh_from_db()
    assert subscription.status == "expired"
    pc_sandbox.control.advance_clock("P31D")
    call_command("sync_subscriptions")

    subscription.refresh_from_db()
    assert subscription.status == "disabled"
    kinds = list(subscription.events.values_list("kind", flat=True))
    assert kinds.index("expired") < kinds.index("disabled")
    assert "renewed" not in kinds
    page = client.get(reverse("subscriptions:subscription_detail", args=[subscription.pk]))
    assert "30 giorni di accesso" in page.content.decode()
    with capture(execute=True):
        assert reminders_send(now=business_now(pc_sandbox)) == 0


def test_added_seats_have_their_own_window_closing_reminder(bought, client, capture, pc_sandbox):
    _, subscription = bought(quantity=5)
    purchase_window = subscription.cancellation_allowed_until
    pc_sandbox.control.advance_clock("P3D")
    assert post(client, capture, "add_seats", subscription, seats="2").status_code == 302
    subscription.refresh_from_db()
    added_until = max(parse_datetime(bucket["until"]) for bucket in subscription.refund_buckets)
    assert added_until > purchase_window + timedelta(days=2)

    with capture(execute=True):
        reminders_send(now=purchase_window - timedelta(hours=3))
        reminders_send(now=added_until - timedelta(hours=3))
        reminders_send(now=added_until - timedelta(hours=1))

    assert list(Reminder.objects.order_by("pk").values_list("kind", "event_at")) == [
        ("window_closing", purchase_window),
        ("window_closing", added_until),
    ]
    assert [m.subject.split(" · ")[0] for m in mail.outbox][-2:] == [
        "Finestra di cancellazione in chiusura"
    ] * 2
