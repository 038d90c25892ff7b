"""Ops commands of orders: sweep_orders and reconcile_subscriptions."""

import subprocess
import sys
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from orders.event_messages import event_staff_text
from orders.models import Order, OrderEvent, OrderStatus
from orders.tasks import order_provision_task
from orders.tests.factories import placed_order
from tests.fixtures.services import PROJECT_DIR

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def overdue(order: Order, minutes: int) -> None:
    Order.objects.filter(pk=order.pk).update(
        attention_due_at=timezone.now() - timedelta(minutes=minutes)
    )


@pytest.mark.parametrize("command", ["sweep_orders", "reconcile_subscriptions"])
def test_help_describes_the_command(command):
    result = subprocess.run(
        [sys.executable, "manage.py", command, "--help"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0
    assert "usage: manage.py " + command in result.stdout


@pytest.mark.parametrize("value", ["-5", "ten"])
def test_sweep_refuses_a_bad_threshold(value):
    with pytest.raises(CommandError, match="older-than-minutes"):
        call_command("sweep_orders", "--older-than-minutes", value)


def test_sweep_dry_run_lists_overdue_orders_and_enqueues_nothing(
    django_capture_on_commit_callbacks,
):
    late, recent = placed_order(), placed_order()
    overdue(late, 30)
    overdue(recent, 2)

    with django_capture_on_commit_callbacks() as callbacks:
        output = run("sweep_orders", "--older-than-minutes", "10", "--dry-run")

    assert f"{late.number} placed, due 30 min ago\n" in output
    assert recent.number not in output
    assert output.endswith(
        "1 orders overdue by more than 10 min, 0 enqueued again. Dry run: nothing enqueued.\n"
    )
    assert callbacks == []
    assert not OrderEvent.objects.filter(order=late, type=OrderEvent.Type.RETRY_SCHEDULED).exists()


def test_sweep_enqueues_overdue_orders_again(django_capture_on_commit_callbacks, monkeypatch):
    enqueued = []
    monkeypatch.setattr(order_provision_task, "delay", enqueued.append)
    late = placed_order()
    overdue(late, 30)
    finished = placed_order()
    Order.objects.filter(pk=finished.pk).update(status=OrderStatus.ACTIVE)
    overdue(finished, 30)

    with django_capture_on_commit_callbacks(execute=True):
        output = run("sweep_orders")

    assert enqueued == [late.pk]
    assert f"{late.number} placed, due 30 min ago → enqueued" in output
    assert output.endswith("1 orders overdue by more than 10 min, 1 enqueued again.\n")
    late.refresh_from_db()
    assert late.attention_due_at > timezone.now() - timedelta(minutes=1)
    resumed = late.events.latest("pk")
    assert resumed.parameters == {"operation": "resume", "idle_minutes": 30}
    with translation.override("it"):
        assert event_staff_text(resumed) == "Attivazione ripresa: nessuna attività da 30 minuti."


@pytest.mark.usefixtures("fast_provisioning")
def test_reconcile_reports_no_difference_for_a_provisioned_order(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order(addon_quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)

    output = run("reconcile_subscriptions")

    assert output == "1 orders checked, 0 differences.\n"


@pytest.mark.usefixtures("fast_provisioning")
def test_reconcile_reports_each_difference(pc_sandbox, django_capture_on_commit_callbacks):
    order = placed_order(addon_quantity=1)
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)
    base, addon = order.lines.order_by("position")
    base.quantity = 7
    base.save()
    addon_subscription = addon.partner_center_subscription_id
    addon.partner_center_subscription_id = "00000000-0000-4000-8000-000000000000"
    addon.save()

    output = run("reconcile_subscriptions", "--order", str(order.pk))

    assert f"{order.number} subscription {base.partner_center_subscription_id}: quantity" in output
    assert "(ours: 7, Partner Center: 5)" in output
    assert "00000000-0000-4000-8000-000000000000: missing_in_partner_center" in output
    assert f"{addon_subscription}: unknown_locally" in output
    assert output.endswith("1 orders checked, 3 differences.\n")


def test_reconcile_refuses_an_unknown_order():
    order = placed_order()  # never reached Partner Center

    with pytest.raises(CommandError, match=f"No order with id {order.pk} placed"):
        call_command("reconcile_subscriptions", "--order", str(order.pk))


def test_reconcile_refuses_a_bad_order_id():
    with pytest.raises(CommandError, match="invalid int value"):
        call_command("reconcile_subscriptions", "--order", "abc")


@pytest.mark.usefixtures("fast_provisioning")
def test_reconcile_says_clearly_when_partner_center_cannot_answer(
    pc_sandbox, django_capture_on_commit_callbacks
):
    order = placed_order()
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)
    pc_sandbox.control.inject_fault("status", status=503, method="GET")

    with pytest.raises(CommandError, match="Partner Center could not answer"):
        call_command("reconcile_subscriptions")
