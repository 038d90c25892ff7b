"""Regression tests of the defects a fault run found (issue 10): each fails on the code before
its fix. In-process against the sandbox; the worker-process versions are in
test_pipeline_embedded.py."""

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone, translation

from notifications.models import Email
from orders.event_messages import event_staff_text
from orders.models import Order, OrderEvent, OrderStatus
from orders.provisioning import order_provision, runner
from orders.provisioning.relationship import next_check_delay
from orders.tasks import order_provision_task, orders_check_relationships_task, orders_sweep_task
from orders.tests.factories import fabrikam_customer, order_user, placed_order
from orders.tests.helpers import NO_DUPLICATES, sandbox_duplicates
from partnercenter.services import _shared_token_provider
from tenants.tests.factories import FABRIKAM_PREFIX, VALID_RESELLER_TENANT_ID
from tests.fixtures.services import PROJECT_DIR

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

CUSTOMERS = r"^/v1/customers$"


def test_capped_backoff_never_waits_longer_than_the_cap(pc_sandbox, settings, monkeypatch):
    # Given backoff already at its cap, and the largest jitter the random draw can give
    settings.ORDER_RETRY_BASE_SECONDS = 8
    settings.ORDER_RETRY_MAX_SECONDS = 8
    monkeypatch.setattr(runner.random, "random", lambda: 0.999)
    order = placed_order()
    pc_sandbox.control.inject_fault("status", status=503, method="POST", path_regex=CUSTOMERS)

    # When a transient error stops the run
    wait = order_provision(order_id=order.pk)

    # Then the retry is scheduled within the cap (not handed to the sweeper with None)
    assert wait is not None
    assert 7.2 <= wait <= 8
    order.refresh_from_db()
    assert order.status == OrderStatus.PROVISIONING
    assert order.transient_failures == 1
    assert order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED).count() == 1


def customer_posts(pc_sandbox) -> list[dict]:
    return [
        call for call in pc_sandbox.control.calls(method="POST") if call["path"] == "/v1/customers"
    ]


def test_a_transient_error_on_a_repeat_keeps_the_request_id_of_a_lost_answer(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given the creation's answer lost after Partner Center created the tenant, then a 503 on
    # the repeat (faults fire in the order they were armed)
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=CUSTOMERS, count=1
    )
    pc_sandbox.control.inject_fault(
        "status", status=503, method="POST", path_regex=CUSTOMERS, count=1
    )

    # When the order is provisioned (in-process, retries at once)
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)

    # Then every attempt sent the first request id, and the third got the first result back
    order.refresh_from_db()
    lost, refused, repeated = customer_posts(pc_sandbox)
    assert lost["ms_request_id"] == refused["ms_request_id"] == repeated["ms_request_id"]
    assert (lost["fault"], refused["status"], repeated["replayed"]) == (
        "drop_after_commit",
        503,
        True,
    )
    assert order.status == OrderStatus.ACTIVE
    assert order.customer_request_outcome_unknown is False
    assert sandbox_duplicates(pc_sandbox) == NO_DUPLICATES
    # and the one-time password reached the reseller in e-mail 1
    credentials, summary = mail.outbox
    assert summary.subject != credentials.subject
    assert order.admin_user_name in credentials.body
    password_line = next(
        line for line in credentials.body.splitlines() if line.startswith("Password temporanea:")
    )
    assert len(password_line.split(":", 1)[1].strip()) >= 8


def test_the_unknown_outcome_survives_a_new_process(pc_sandbox):
    # Given a lost answer, then a 503 on the repeat in the same run
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=CUSTOMERS, count=1
    )
    assert order_provision(order_id=order.pk) is not None
    pc_sandbox.control.inject_fault(
        "status", status=503, method="POST", path_regex=CUSTOMERS, count=1
    )

    # When another run (another process: only the row is shared) meets the 503
    assert order_provision(order_id=order.pk) is not None

    # Then the row still holds the first request id and the fact that its outcome is unknown
    order.refresh_from_db()
    first, second = customer_posts(pc_sandbox)
    assert order.customer_request_id == first["ms_request_id"] == second["ms_request_id"]
    assert order.customer_request_outcome_unknown is True


def test_domain_in_use_after_a_lost_creation_adopts_our_tenant_instead_of_blaming_the_customer(
    pc_sandbox, settings, django_capture_on_commit_callbacks
):
    # Given a creation whose answer was lost (the tenant exists), and a request id Partner
    # Center no longer recognises (here: dropped from the row, as the code before the fix did)
    settings.STAFF_ALERT_EMAILS = ["staff@distributore.example"]
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "drop_after_commit", method="POST", path_regex=CUSTOMERS, count=1
    )
    assert order_provision(order_id=order.pk) is not None
    Order.objects.filter(pk=order.pk).update(customer_request_id="")

    # When the next attempt is answered 409 "domain in use"
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)

    # Then the order goes on with the tenant it created: active, not failed as domain_taken
    order.refresh_from_db()
    assert [call["status"] for call in customer_posts(pc_sandbox)] == [None, 409]
    assert order.status == OrderStatus.ACTIVE
    assert order.failure_reason == ""
    tenant = pc_sandbox.control.state()["tenants"]
    created = next(t for t in tenant if t["domain"] == order.tenant_domain)
    assert order.partner_center_customer_id == created["id"]
    assert order.customer.partner_center_customer_id is not None
    # and staff are told the password must be reset; the reseller gets the summary only
    adopted = order.events.get(parameters__step=OrderEvent.Step.TENANT_CREATED)
    assert adopted.parameters["is_adopted"] is True
    with translation.override("it"):
        assert "password iniziale" in event_staff_text(adopted)
    [summary] = [message for message in mail.outbox if message.to != settings.STAFF_ALERT_EMAILS]
    assert order.number in summary.subject
    assert order.is_new_tenant is False
    # by an alert e-mail through the outbox, once, naming the tenant and where to reset it
    [alert] = [message for message in mail.outbox if message.to == settings.STAFF_ALERT_EMAILS]
    assert order.number in alert.subject
    assert "password" in alert.subject
    assert order.tenant_domain in alert.body
    assert created["id"] in alert.body
    assert "interfaccia di amministrazione di Microsoft 365" in alert.body
    assert "admin.microsoft.com" in alert.alternatives[0][0]
    [row] = Email.objects.filter(order=order, kind=Email.Kind.STAFF_PASSWORD_RESET)
    assert row.status == Email.Status.SENT
    # and running the order again sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)
    assert len(mail.outbox) == 2
    assert Email.objects.filter(order=order, kind=Email.Kind.STAFF_PASSWORD_RESET).count() == 1


# --- Defect 4: the relationship re-check -------------------------------------------------------


def parked_order(pc_sandbox) -> Order:
    """An order for Fabrikam, whose administrator has not accepted the invitation yet."""
    user = order_user()
    order = placed_order(user=user, customer=fabrikam_customer(reseller=user.reseller))
    assert order_provision(order_id=order.pk) is None
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_RELATIONSHIP
    return order


def accept_invitation(pc_sandbox) -> None:
    pc_sandbox.control.accept_invitation(
        f"{FABRIKAM_PREFIX}.onmicrosoft.com", partner_id=VALID_RESELLER_TENANT_ID
    )


def test_a_relationship_check_partner_center_could_not_answer_is_retried_soon_with_an_event(
    pc_sandbox, settings, django_capture_on_commit_callbacks
):
    # Given a waiting order checked every hour by now, and Partner Center failing the check
    settings.ORDER_RETRY_BASE_SECONDS = 5
    settings.ORDER_RELATIONSHIP_CHECK_MIN_SECONDS = 3600
    order = parked_order(pc_sandbox)
    Order.objects.filter(pk=order.pk).update(attention_due_at=timezone.now())
    accept_invitation(pc_sandbox)
    pc_sandbox.control.inject_fault("status", status=503, method="GET", path_regex=CUSTOMERS)

    # When the scan checks it
    with django_capture_on_commit_callbacks(execute=True):
        assert orders_check_relationships_task.delay().get() == 1

    # Then the next check is in seconds, not an interval later, and staff can read why
    order.refresh_from_db()
    assert order.status == OrderStatus.AWAITING_RELATIONSHIP
    assert order.transient_failures == 1
    due_in = (order.attention_due_at - timezone.now()).total_seconds()
    assert 4 <= due_in <= 5
    [retry] = order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED)
    assert retry.parameters["operation"] == OrderEvent.Operation.RELATIONSHIP_CHECK
    with translation.override("it"):
        assert "Verifica della relazione non riuscita" in event_staff_text(retry)
    # and once due, the next scan finds the relationship and the order goes on to the end
    pc_sandbox.control.clear_faults()
    Order.objects.filter(pk=order.pk).update(attention_due_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        orders_check_relationships_task.delay()
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE


def test_the_sweeper_also_checks_waiting_orders_whose_check_was_lost(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given a waiting order claimed by a scan whose check message was lost (claim run out)
    order = parked_order(pc_sandbox)
    Order.objects.filter(pk=order.pk).update(attention_due_at=timezone.now() - timedelta(minutes=1))
    accept_invitation(pc_sandbox)

    # When the sweeper runs
    with django_capture_on_commit_callbacks(execute=True):
        orders_sweep_task.delay()

    # Then it checked the relationship too, and the order went on
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE


def test_a_waiting_order_is_checked_often_at_first_then_less_and_less(settings):
    settings.ORDER_RELATIONSHIP_CHECK_MIN_SECONDS = 60
    settings.ORDER_RELATIONSHIP_CHECK_MAX_SECONDS = 3600

    delays = [
        next_check_delay(waited=timedelta(minutes=minutes)).total_seconds()
        for minutes in (0, 10, 20, 60, 6 * 60, 24 * 60, 10 * 24 * 60)
    ]

    assert delays == [60, 60, 60, 180, 1080, 3600, 3600]


def settings_of_a_new_process(**environment) -> dict:
    """Settings as a process started with only ``environment`` set reads them."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORDER_")}
    env.pop("CELERY_BROKER_URL", None)
    env.update(environment, DJANGO_SETTINGS_MODULE="storefront.settings")
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'sweep': s.CELERY_BEAT_SCHEDULE['orders-sweep']['schedule'], "
        "'scan': s.CELERY_BEAT_SCHEDULE['orders-check-relationships']['schedule'], "
        "'check_min': s.ORDER_RELATIONSHIP_CHECK_MIN_SECONDS, "
        "'check_max': s.ORDER_RELATIONSHIP_CHECK_MAX_SECONDS, "
        "'reminder_hours': s.ORDER_RELATIONSHIP_REMINDER_HOURS}))"
    )
    output = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def test_every_interval_comes_from_the_environment():
    configured = settings_of_a_new_process(
        ORDER_SWEEP_INTERVAL_SECONDS="7",
        ORDER_RELATIONSHIP_SCAN_SECONDS="3",
        ORDER_RELATIONSHIP_CHECK_MIN_SECONDS="11",
        ORDER_RELATIONSHIP_CHECK_MAX_SECONDS="600",
        ORDER_RELATIONSHIP_REMINDER_HOURS="12",
    )

    assert configured == {
        "sweep": 7,
        "scan": 3,
        "check_min": 11,
        "check_max": 600,
        "reminder_hours": 12,
    }


def test_with_no_variable_set_an_accepted_invitation_is_noticed_within_two_minutes():
    defaults = settings_of_a_new_process()

    # The worst case while the invitation is fresh: accepted just after a check, noticed at the
    # first scan after the next check falls due.
    assert defaults["check_min"] + defaults["scan"] <= 90
    assert defaults["sweep"] <= 60


# --- Defect 2: msal's failures ------------------------------------------------------------------


def test_identity_platform_discovery_failing_in_a_new_process_is_retried_with_an_event(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given a process with no token yet (msal discovers the authority first), and the
    # discovery document answering 503 once
    _shared_token_provider.cache_clear()
    pc_sandbox.control.inject_fault(
        "status", status=503, method="GET", path_regex=r"openid-configuration$", count=1
    )
    order = placed_order()

    # When the order is provisioned
    with django_capture_on_commit_callbacks(execute=True):
        order_provision_task.delay(order.pk)

    # Then the failure was a transient error like any other: retried, told, and the order active
    order.refresh_from_db()
    assert order.status == OrderStatus.ACTIVE
    [retry] = order.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED)
    assert retry.parameters["error"] == "PartnerCenterUnavailable"
    assert "identity platform" in retry.parameters["detail"]
