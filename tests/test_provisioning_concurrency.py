"""Two runs of one order at once (a late message and the sweeper's, staff «Riprendi» on a running
order): only one works on it, and Partner Center never receives two different requests."""

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Order, OrderEvent, OrderStatus
from orders.provisioning import order_provision, runner, steps
from orders.provisioning.recording import request_id_for
from orders.provisioning.relationship import RelationshipOutcome
from orders.services.staff import order_resume
from orders.tests.factories import placed_order
from orders.tests.helpers import NO_DUPLICATES, sandbox_duplicates
from storefront.tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]


def customer_posts(pc_sandbox) -> list[dict]:
    return [
        call
        for call in pc_sandbox.control.calls(method="POST")
        if call["path"].endswith("/v1/customers")
    ]


def interleave_before(monkeypatch, target, during_run):
    """Make ``during_run(order)`` happen once while the first run is about to do ``target``."""
    outcomes = []
    started = []

    def step(order, client):
        if not started:
            started.append(True)  # the second run reaches this step too: only once
            outcomes.append(during_run(order))
        return target(order, client)

    monkeypatch.setattr(
        runner, "STEPS", tuple(step if each is target else each for each in runner.STEPS)
    )
    return outcomes


def test_a_second_run_of_a_running_order_does_nothing(pc_sandbox, monkeypatch):
    # Given an order whose subscriptions activate slowly, and a second message for it that is
    # delivered while the first run is about to create the tenant
    pc_sandbox.control.set_delays(subscription_activation_seconds=3600)
    order = placed_order()
    second = interleave_before(
        monkeypatch,
        steps.step_ensure_customer,
        lambda order: order_provision(order_id=order.pk),
    )

    # When the first run goes on
    wait = order_provision(order_id=order.pk)

    # Then the second run did nothing, and Partner Center got one tenant, one order
    order.refresh_from_db()
    assert second == [None]
    assert wait == 0
    assert order.status == OrderStatus.PROVISIONING
    assert order.cart_submitted_at is not None
    assert order.run_lease_until is None
    assert len(customer_posts(pc_sandbox)) == 1
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES


def test_staff_resume_of_a_running_order_enqueues_nothing(
    pc_sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a run in progress
    order = placed_order()
    staff = StaffUserFactory()
    callbacks = []

    def resume(order):
        with django_capture_on_commit_callbacks() as captured:
            outcome = order_resume(order_id=order.pk, user=staff)
        callbacks.extend(captured)
        return outcome

    outcomes = interleave_before(monkeypatch, steps.step_submit_cart, resume)

    # When staff press «Riprendi» during it
    order_provision(order_id=order.pk)

    # Then nothing is enqueued and no event says it was resumed
    assert outcomes == [RelationshipOutcome.SKIPPED]
    assert callbacks == []
    assert not OrderEvent.objects.filter(order=order, actor=OrderEvent.Actor.STAFF).exists()
    assert Order.objects.get(pk=order.pk).status == OrderStatus.ACTIVE
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES


def test_a_run_of_an_order_not_due_yet_does_nothing(pc_sandbox):
    # Given an order scheduled to be looked at in a minute
    order = placed_order()
    due = timezone.now() + timedelta(minutes=1)
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PROVISIONING, attention_due_at=due)

    # When a (duplicate) message for it runs now
    wait = order_provision(order_id=order.pk)

    # Then nothing was done
    order.refresh_from_db()
    assert wait is None
    assert order.attention_due_at == due
    assert order.run_lease_until is None
    assert order.partner_center_customer_id == ""
    assert pc_sandbox.control.calls(method="POST") == []


def test_request_id_stored_by_another_run_is_used_not_overwritten():
    # Given a run's stale copy of the order, and another run that stored its request id since
    order = placed_order()
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.PROVISIONING)
    stale = Order.objects.get(pk=order.pk)
    Order.objects.filter(pk=order.pk).update(customer_request_id="first-run-id")

    # When the stale run asks for the request id
    request_id = request_id_for(stale, "customer_request_id")

    # Then it gets the stored one, and the stored one is unchanged
    assert request_id == "first-run-id"
    assert Order.objects.get(pk=order.pk).customer_request_id == "first-run-id"
