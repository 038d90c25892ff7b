"""Typed order events: questions about the history are one ORM filter, the parameters never hold
a secret, staff read every fact, and rows written before the events were typed migrate."""

import json
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from orders.event_messages import event_staff_text
from orders.events import _record, event_email_sent, event_step_completed
from orders.models import Order, OrderEvent
from orders.provisioning import order_provision
from orders.tests.factories import order_user, placed_order
from storefront.crypto import decrypt_text
from storefront.tests.factories import StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

migration = import_module("orders.migrations.0009_order_event_type_parameters")


def orders_retried_after_a_429_since(since) -> int:
    return (
        OrderEvent.objects.filter(
            type=OrderEvent.Type.RETRY_SCHEDULED, parameters__status=429, created_at__gte=since
        )
        .values("order")
        .distinct()
        .count()
    )


def test_how_many_orders_were_retried_after_a_429_last_week_is_one_filter(pc_sandbox, settings):
    # Given an order rate limited twice this week, one that met a 503, and one rate limited a
    # month ago, all through the real provisioning path
    settings.ORDER_RETRY_MAX_SECONDS = 300
    user = order_user()
    rate_limited, unavailable, long_ago = (placed_order(user=user) for _order in range(3))
    for _attempt in range(2):
        pc_sandbox.control.inject_fault(
            "rate_limit", retry_after=7, method="GET", path_prefix="/v1/products/", count=1
        )
        Order.objects.filter(pk=rate_limited.pk).update(attention_due_at=timezone.now())
        assert order_provision(order_id=rate_limited.pk) == 7
    pc_sandbox.control.inject_fault(
        "status", status=503, method="GET", path_prefix="/v1/products/", count=1
    )
    assert order_provision(order_id=unavailable.pk) is not None
    pc_sandbox.control.inject_fault(
        "rate_limit", retry_after=7, method="GET", path_prefix="/v1/products/", count=1
    )
    assert order_provision(order_id=long_ago.pk) == 7
    long_ago.events.update(created_at=timezone.now() - timedelta(days=30))

    # When staff ask how many orders were retried after a 429 in the last week
    count = orders_retried_after_a_429_since(timezone.now() - timedelta(days=7))

    # Then it is the one order, counted once
    assert count == 1
    retry = rate_limited.events.filter(type=OrderEvent.Type.RETRY_SCHEDULED).latest("pk")
    assert {name: retry.parameters[name] for name in ("operation", "status", "error")} == {
        "operation": "provisioning",
        "status": 429,
        "error": "PartnerCenterRateLimited",
    }
    assert retry.parameters["retry_in"] == 7
    assert unavailable.events.get(type=OrderEvent.Type.RETRY_SCHEDULED).parameters["status"] == 503


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def test_no_event_parameter_is_ever_a_secret(pc_sandbox):
    # Given a new tenant's order that failed right after the tenant was created (the MCA refused),
    # so that its first password is still stored
    order = placed_order()
    pc_sandbox.control.inject_fault(
        "status", status=400, path_regex=r"/agreements$", method="POST", count=1
    )
    order_provision(order_id=order.pk)
    order.refresh_from_db()
    password = decrypt_text(order.admin_password_encrypted)

    # Then no event names a password, token or secret, nor holds the password anywhere
    events = list(order.events.all())
    assert [event.parameters.get("step", event.to_status) for event in events] == [
        "placed",
        "provisioning",
        "mpn",
        "tenant_created",
        "failed",
    ]
    for event in events:
        assert not {
            key
            for key in keys_of(event.parameters)
            if any(word in key for word in ("password", "token", "secret"))
        }
        assert password not in json.dumps(event.parameters)
        assert password not in event_staff_text(event)
    # and the one place events are written refuses such a parameter
    with pytest.raises(ValueError, match="never stores a secret"):
        _record(order=order, type=OrderEvent.Type.STAFF_ACTION, parameters={"admin_password": "x"})


def test_staff_read_every_fact_of_a_step_and_an_email(client):
    order = placed_order()
    cart = event_step_completed(
        order=order, step=OrderEvent.Step.CART, cart_id="cart-1", line_count=2
    )
    sent = event_email_sent(
        order=order, kind="subscription_summary", recipients=["a@example.com", "b@example.com"]
    )

    assert cart.parameters == {"step": "cart", "cart_id": "cart-1", "line_count": 2}
    with translation.override("it"):
        assert event_staff_text(cart) == "Carrello Partner Center cart-1 creato con 2 righe."
        assert event_staff_text(sent) == (
            "E-mail «Riepilogo della sottoscrizione» inviata a a@example.com, b@example.com."
        )
    with translation.override("en"):
        assert event_staff_text(cart) == "Partner Center cart cart-1 created with 2 lines."
    # on the order's admin page, in the staff member's language
    client.force_login(StaffUserFactory(language="it"))
    page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "Carrello Partner Center cart-1 creato con 2 righe." in page


def old_row(kind: str, message: str, *, code: str = "", to_status: str = "", from_status=""):
    return SimpleNamespace(
        kind=kind,
        message=message,
        code=code,
        to_status=to_status,
        from_status=from_status,
        actor_user_id=None,
    )


@pytest.mark.parametrize(
    ("row", "parameters"),
    [
        (
            old_row(
                "status_changed",
                "Ordine ricevuto da anna@rivenditore.example per Nuova Impresa S.r.l. "
                "(nuovaimpresa2026.onmicrosoft.com, nuovo tenant).",
                to_status="placed",
            ),
            {
                "user_email": "anna@rivenditore.example",
                "company_name": "Nuova Impresa S.r.l.",
                "is_new_tenant": True,
            },
        ),
        (
            old_row(
                "status_changed",
                "Attivazione non riuscita: L'MPN ID 7000001 non è valido.",
                code="mpn_invalid",
                to_status="failed",
            ),
            {"reason": "mpn_invalid", "detail": "L'MPN ID 7000001 non è valido."},
        ),
        (
            old_row(
                "status_changed",
                "Ordine annullato da luca@distributore.example. Nota: doppio",
                to_status="cancelled",
            ),
            {"user_email": "luca@distributore.example", "note": "doppio"},
        ),
        (
            old_row(
                "step_completed",
                "Sottoscrizioni attive: Microsoft 365 Business Standard (sub-1), Exchange (sub-2).",
                code="activation",
            ),
            {
                "step": "activation",
                "subscriptions": [
                    ["Microsoft 365 Business Standard", "sub-1"],
                    ["Exchange", "sub-2"],
                ],
            },
        ),
        (
            old_row(
                "retry_scheduled",
                "Errore temporaneo (PartnerCenterRateLimited: availability_list: rate limited, "
                "retry in 7.0 s): nuovo tentativo tra 7 s (1 di 5).",
            ),
            {
                "operation": "provisioning",
                "error": "PartnerCenterRateLimited",
                "detail": "availability_list: rate limited, retry in 7.0 s",
                "status": 429,
                "error_code": "",
                "retry_in": 7.0,
                "failures": 1,
                "max_failures": 5,
            },
        ),
        (
            old_row(
                "email_sent",
                "E-mail «Credenziali» inviata a anna@rivenditore.example, ordini@r.example.",
                code="credentials",
            ),
            {
                "kind": "credentials",
                "recipients": ["anna@rivenditore.example", "ordini@r.example"],
            },
        ),
        (
            old_row("status_changed", "Attesa della relazione scaduta dopo 14 giorni.",
                    code="relationship_missing", to_status="failed"),
            {"reason": "relationship_missing",
             "legacy_message": "Attesa della relazione scaduta dopo 14 giorni."},
        ),
        (
            old_row("staff_action", "Qualcosa che il codice non scrive più."),
            {"legacy_message": "Qualcosa che il codice non scrive più."},
        ),
    ],
)  # fmt: skip
def test_rows_written_before_the_events_were_typed_migrate_to_their_facts(row, parameters):
    assert migration.parameters_of(row) == parameters


@pytest.mark.django_db(transaction=True)
def test_the_migration_types_existing_rows_and_keeps_the_reseller_wording():
    # Given the schema before typed events, with an order's rows as the code wrote them
    before = ("orders", "0008_rename_checkout_to_cart_submit")
    order = placed_order()
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    old_apps = executor.loader.project_state([before]).apps
    OldEvent = old_apps.get_model("orders", "OrderEvent")
    OldEvent.objects.filter(order_id=order.pk).delete()
    for kind, code, to_status, message in [
        ("step_completed", "cart_submitted", "", "Ordine inviato a Microsoft (ordini o-1, o-2)."),
        ("retry_scheduled", "", "", "Errore temporaneo (PartnerCenterRateLimited: x): nuovo "
         "tentativo tra 7 s (1 di 5)."),
        ("status_changed", "domain_taken", "failed", "Un testo che nessun modello riconosce."),
    ]:  # fmt: skip
        OldEvent.objects.create(
            order_id=order.pk,
            kind=kind,
            code=code,
            to_status=to_status,
            actor="worker",
            message=message,
        )

    # When the migration runs (and every later one: the test leaves the schema as it found it)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then each row has its facts, the 429 is queryable, staff read the unparsed text as it was
    events = list(OrderEvent.objects.filter(order_id=order.pk).order_by("pk"))
    assert [event.parameters for event in events] == [
        {"step": "cart_submitted", "partner_center_order_ids": ["o-1", "o-2"]},
        {
            "operation": "provisioning",
            "error": "PartnerCenterRateLimited",
            "detail": "x",
            "status": 429,
            "error_code": "",
            "retry_in": 7.0,
            "failures": 1,
            "max_failures": 5,
        },
        {"reason": "domain_taken", "legacy_message": "Un testo che nessun modello riconosce."},
    ]
    assert orders_retried_after_a_429_since(timezone.now() - timedelta(days=7)) == 1
    assert event_staff_text(events[2]) == "Un testo che nessun modello riconosce."
    assert event_staff_text(events[0]) == "Ordine inviato a Microsoft (ordini o-1, o-2)."
