"""Typed change request events: questions about the history are one ORM filter, the parameters
never hold a secret, staff read each event as they did when it was prose, and rows written before
the events were typed migrate."""

import uuid
from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone, translation

from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterRateLimited,
    PartnerCenterUnavailable,
)
from storefront.tests.factories import StaffUserFactory
from subscriptions import events
from subscriptions.event_messages import event_staff_text
from subscriptions.models import ChangeRequest, ChangeRequestEvent, Subscription
from subscriptions.services.changes import change_request_create, change_request_run
from subscriptions.tests.factories import active_order, mirrored_subscription

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_provisioning")]

migration = import_module("subscriptions.migrations.0005_change_request_event_type_parameters")
Type = ChangeRequestEvent.Type


def changes_that_met_a_429_since(since) -> int:
    return (
        ChangeRequestEvent.objects.filter(
            type=Type.RETRY_SCHEDULED, parameters__status=429, created_at__gte=since
        )
        .values("change_request")
        .distinct()
        .count()
    )


def open_change(seats: int) -> ChangeRequest:
    """A request of a subscription that is only a mirror row, with no event and nothing queued."""
    subscription = mirrored_subscription()
    return ChangeRequest.objects.create(
        subscription=subscription,
        user=subscription.order.user,
        kind=ChangeRequest.Kind.ADD_SEATS,
        seats=seats,
        idempotency_key=uuid.uuid4(),
    )


def add_seats(subscription: Subscription, seats: int = 1) -> ChangeRequest:
    return change_request_create(
        subscription=subscription,
        user=subscription.order.user,
        kind=ChangeRequest.Kind.ADD_SEATS,
        seats=seats,
        idempotency_key=uuid.uuid4(),
    )


def run_until_done(change: ChangeRequest) -> list[float | None]:
    """The worker's runs of the request, each as soon as it is due (no waiting out a delay)."""
    waits = []
    while True:
        ChangeRequest.objects.filter(pk=change.pk).update(attention_due_at=timezone.now())
        waits.append(change_request_run(change_request_id=change.pk))
        if waits[-1] is None:
            return waits


def test_how_many_changes_met_a_429_last_week_is_one_filter(
    pc_sandbox, django_capture_on_commit_callbacks
):
    # Given three changes of one subscription, through the real path against the sandbox: one
    # rate limited twice this week, one that met a 503, one rate limited a month ago
    order = active_order(django_capture_on_commit_callbacks, addon_quantity=None)
    subscription = Subscription.objects.get(order=order)

    def change_after(kind: str, count: int, **fault) -> ChangeRequest:
        pc_sandbox.control.inject_fault(
            kind, method="PATCH", path_prefix="/v1/customers/", count=count, **fault
        )
        change = add_seats(subscription)
        waits = run_until_done(change)
        assert len(waits) == count + 1
        change.refresh_from_db()
        assert change.status == ChangeRequest.Status.COMPLETED
        return change

    rate_limited = change_after("rate_limit", 2, retry_after=7)
    change_after("status", 1, status=503)
    long_ago = change_after("rate_limit", 1, retry_after=7)
    long_ago.events.update(created_at=timezone.now() - timedelta(days=30))

    # When staff ask how many change requests met a 429 in the last week
    count = changes_that_met_a_429_since(timezone.now() - timedelta(days=7))

    # Then it is the one request, counted once, with the facts of its retries
    assert count == 1
    retries = rate_limited.events.filter(type=Type.RETRY_SCHEDULED).order_by("pk")
    assert [
        {name: retry.parameters[name] for name in ("error", "status", "retry_in", "failures")}
        for retry in retries
    ] == [
        {"error": "PartnerCenterRateLimited", "status": 429, "retry_in": 7.0, "failures": 1},
        {"error": "PartnerCenterRateLimited", "status": 429, "retry_in": 7.0, "failures": 2},
    ]
    assert list(rate_limited.events.values_list("type", flat=True)) == [
        "requested",
        "taken",
        "retry_scheduled",
        "retry_scheduled",
        "confirmed",
    ]


def test_no_event_parameter_is_ever_a_secret():
    change = add_seats(mirrored_subscription())

    with pytest.raises(ValueError, match="never stores a secret"):
        events._record(change_request=change, type=Type.FAILED, parameters={"refresh_token": "x"})

    assert list(change.events.values_list("type", flat=True)) == ["requested"]


# --- Staff's wording ---------------------------------------------------------------------------

STAFF_EMAIL = "luca@distributore.example"
# The facts given to each type: a 202's location, an operationId, a failure's code and detail.
FACTS = ("/v1/op/1", "op-7", "800090", "Too many seats (MS-RequestId r-1)")
# A transient error, the wait after it (not a whole number: the text rounds it), failures of max.
RATE_LIMITED_RETRY = (
    PartnerCenterRateLimited("rate limited", retry_after=7, http_status=429),
    7.0,
    1,
    5,
)
PENDING_RETRY = (PartnerCenterBusinessError("pending", code="900278", http_status=400), 37.54, 2, 5)
CANCEL_NOTE = "ordine doppio "


def old_texts(change: ChangeRequest, staff) -> dict:
    """What the code wrote for each event before the events were typed (its f-strings, copied
    as they were), for the facts the events below are given."""
    user, location, operation_id, code, detail = change.user, *FACTS
    ACCEPTED_MESSAGE = "Partner Center ha accettato la modifica"
    TRANSITION_STARTED_MESSAGE = "Partner Center ha avviato il passaggio"

    def retry(exc, wait, failures, max_failures):
        return (
            f"Errore temporaneo ({type(exc).__name__} {exc.error_code}): nuovo tentativo "
            f"tra {wait:.0f} s ({failures} di {max_failures})."
        )

    return {
        Type.REQUESTED: f"Richiesta da {user.email}: {change.description}.",
        Type.PLAN_REAPPLIED: "Partner Center ha rimosso il piano di rinnovo dopo una modifica a "
        "metà periodo: riapplicato automaticamente.",
        Type.TAKEN: "Presa in carico.",
        Type.ACCEPTED: f"{ACCEPTED_MESSAGE} (202, {location}).",
        Type.TRANSITION_STARTED: f"{TRANSITION_STARTED_MESSAGE} (operationId {operation_id}).",
        Type.CONFIRMED: "Modifica confermata da Partner Center.",
        Type.FAILED: f"Non riuscita: {code} {detail}",
        Type.RETRY_SCHEDULED: [retry(*RATE_LIMITED_RETRY), retry(*PENDING_RETRY)],
        Type.STAFF_RETRY: f"Riprova dello staff ({staff.email}). {''}".strip(),
        Type.STAFF_CANCEL: f"Annullata dallo staff ({staff.email}). {CANCEL_NOTE}".strip(),
    }


def one_event_of_each_type(change: ChangeRequest, staff) -> dict:
    location, operation_id, code, detail = FACTS
    moved = {"change_request": change, "from_status": "submitted"}

    def retry(exc, wait, failures, max_failures):
        return events.event_retry_scheduled(
            change_request=change,
            error=exc,
            retry_in=wait,
            failures=failures,
            max_failures=max_failures,
        )

    return {
        Type.REQUESTED: change.events.get(type=Type.REQUESTED),
        Type.PLAN_REAPPLIED: events.event_plan_reapplied(change_request=change),
        Type.TAKEN: events.event_taken(change_request=change, from_status="requested"),
        Type.ACCEPTED: events.event_accepted(change_request=change, location=location),
        Type.TRANSITION_STARTED: events.event_transition_started(
            change_request=change, operation_id=operation_id
        ),
        Type.CONFIRMED: events.event_confirmed(**moved),
        Type.FAILED: events.event_failed(**moved, code=code, detail=detail),
        Type.RETRY_SCHEDULED: [retry(*RATE_LIMITED_RETRY), retry(*PENDING_RETRY)],
        Type.STAFF_RETRY: events.event_staff_retry(
            change_request=change, from_status="failed", user=staff
        ),
        Type.STAFF_CANCEL: events.event_staff_cancel(**moved, user=staff, note=CANCEL_NOTE),
    }


ENGLISH = {
    Type.REQUESTED: "Requested by {email}: 2 licences added.",
    Type.PLAN_REAPPLIED: "Partner Center removed the renewal plan after a mid-term change: "
    "re-applied automatically.",
    Type.TAKEN: "Taken up.",
    Type.ACCEPTED: "Partner Center accepted the change (202, /v1/op/1).",
    Type.TRANSITION_STARTED: "Partner Center started the transition (operationId op-7).",
    Type.CONFIRMED: "Change confirmed by Partner Center.",
    Type.FAILED: "Failed: 800090 Too many seats (MS-RequestId r-1)",
    Type.RETRY_SCHEDULED: [
        "Temporary error (PartnerCenterRateLimited ): retrying in 7 s (1 of 5).",
        "Temporary error (PartnerCenterBusinessError 900278): retrying in 38 s (2 of 5).",
    ],
    Type.STAFF_RETRY: f"Retried by staff ({STAFF_EMAIL}).",
    Type.STAFF_CANCEL: f"Cancelled by staff ({STAFF_EMAIL}). ordine doppio",
}


def texts(found: dict, language: str) -> dict:
    with translation.override(language):
        return {
            type_: [event_staff_text(e) for e in event]
            if isinstance(event, list)
            else event_staff_text(event)
            for type_, event in found.items()
        }


def test_staff_read_each_type_as_before_in_italian_and_in_english(client):
    # Given one event of each type written by its function, with the facts the code gives it
    change = add_seats(mirrored_subscription(), seats=2)
    staff = StaffUserFactory(email=STAFF_EMAIL, language="it")
    found = one_event_of_each_type(change, staff)
    assert set(found) == set(Type.values) - {Type.LEGACY}

    # Then in Italian each reads as the prose the code wrote before, in English as translated
    with translation.override("it"):
        assert texts(found, "it") == old_texts(change, staff)
    email = change.user.email
    assert texts(found, "en") == {
        type_: [text.format(email=email) for text in english]
        if isinstance(english, list)
        else english.format(email=email)
        for type_, english in ENGLISH.items()
    }
    # and so on the request's admin page, in the staff member's language
    client.force_login(staff)
    page = client.get(f"/admin/subscriptions/changerequest/{change.pk}/change/").content.decode()
    assert "Non riuscita: 800090 Too many seats (MS-RequestId r-1)" in page
    assert f"Annullata dallo staff ({STAFF_EMAIL}). ordine doppio" in page


# --- Rows written before the events were typed ---------------------------------------------------


def old_row(message: str, *, to_status: str = "", from_status: str = "", actor: str = "worker"):
    return SimpleNamespace(
        message=message, to_status=to_status, from_status=from_status, actor=actor
    )


@pytest.mark.parametrize(
    ("row", "typed"),
    [
        (old_row("Richiesta da anna@rivenditore.example: 3 licenze aggiunte.",
                 to_status="requested", actor="reseller"),
         ("requested", {"user_email": "anna@rivenditore.example"})),
        (old_row("Partner Center ha rimosso il piano di rinnovo dopo una modifica a metà "
                 "periodo: riapplicato automaticamente.", to_status="requested"),
         ("plan_reapplied", {})),
        (old_row("Presa in carico.", from_status="requested", to_status="submitted"),
         ("taken", {})),
        (old_row("Partner Center ha accettato la modifica (202, /v1/customers/c/operations/1)."),
         ("accepted", {"location": "/v1/customers/c/operations/1"})),
        (old_row("Partner Center ha accettato la modifica (202, None)."),
         ("accepted", {"location": None})),
        (old_row("Partner Center ha avviato il passaggio (operationId op-7)."),
         ("transition_started", {"operation_id": "op-7"})),
        (old_row("Modifica confermata da Partner Center.", to_status="completed"),
         ("confirmed", {})),
        (old_row("Non riuscita: 900400 partner of record (MS-RequestId r-1)",
                 to_status="failed"),
         ("failed", {"code": "900400", "detail": "partner of record (MS-RequestId r-1)"})),
        (old_row("Errore temporaneo (PartnerCenterRateLimited ): nuovo tentativo tra 7 s "
                 "(1 di 5)."),
         ("retry_scheduled", {"error": "PartnerCenterRateLimited", "error_code": "",
                              "status": 429, "detail": "", "retry_in": 7.0, "failures": 1,
                              "max_failures": 5})),
        (old_row("Errore temporaneo (PartnerCenterBusinessError 900278): nuovo tentativo tra "
                 "38 s (2 di 5)."),
         ("retry_scheduled", {"error": "PartnerCenterBusinessError", "error_code": "900278",
                              "status": None, "detail": "", "retry_in": 38.0, "failures": 2,
                              "max_failures": 5})),
        (old_row("Riprova dello staff (luca@distributore.example).", from_status="failed",
                 to_status="submitted", actor="staff"),
         ("staff_retry", {"user_email": "luca@distributore.example", "note": ""})),
        (old_row("Annullata dallo staff (luca@distributore.example). ordine doppio",
                 to_status="cancelled", actor="staff"),
         ("staff_cancel", {"user_email": "luca@distributore.example", "note": "ordine doppio"})),
        (old_row("Annullata a mano.", to_status="cancelled", actor="staff"),
         ("staff_cancel", {"legacy_message": "Annullata a mano."})),
        (old_row("Qualcosa che il codice non scrive più."),
         ("legacy", {"legacy_message": "Qualcosa che il codice non scrive più."})),
    ],
)  # fmt: skip
def test_rows_written_before_the_events_were_typed_migrate_to_their_facts(row, typed):
    assert migration.typed(row) == typed


@pytest.mark.django_db(transaction=True)
def test_the_migration_types_existing_rows_and_staff_read_them_as_before():
    # Given the schema before typed events, with a request's rows as the code wrote them
    before = ("subscriptions", "0004_change_kinds_of_renewals_and_upgrades")
    change = open_change(seats=3)
    email = change.user.email
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    OldEvent = executor.loader.project_state([before]).apps.get_model(
        "subscriptions", "ChangeRequestEvent"
    )
    OldEvent.objects.filter(change_request_id=change.pk).delete()
    rows = [
        ("", "requested", "reseller", f"Richiesta da {email}: 3 licenze aggiunte."),
        ("requested", "submitted", "worker", "Presa in carico."),
        ("", "", "worker", "Errore temporaneo (PartnerCenterRateLimited ): nuovo tentativo tra "
         "7 s (1 di 5)."),
        ("", "", "worker", "Errore temporaneo (PartnerCenterUnavailable ): nuovo tentativo tra "
         "2 s (2 di 5)."),
        ("submitted", "failed", "worker", "Un testo che nessun modello riconosce."),
    ]  # fmt: skip
    for from_status, to_status, actor, message in rows:
        OldEvent.objects.create(
            change_request_id=change.pk,
            from_status=from_status,
            to_status=to_status,
            actor=actor,
            message=message,
        )

    # When the migration runs (and every later one: the test leaves the schema as it found it)
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    # Then each row has its type and facts, the 429 is queryable, and staff read every row in
    # Italian as it was written (the unparsed one as its text)
    migrated = list(ChangeRequestEvent.objects.filter(change_request_id=change.pk).order_by("pk"))
    assert [(event.type, event.parameters.get("status")) for event in migrated] == [
        ("requested", None),
        ("taken", None),
        ("retry_scheduled", 429),
        ("retry_scheduled", None),
        ("failed", None),
    ]
    assert changes_that_met_a_429_since(timezone.now() - timedelta(days=7)) == 1
    with translation.override("it"):
        assert [event_staff_text(event) for event in migrated] == [row[3] for row in rows]


def test_an_unavailable_partner_center_is_a_retry_without_a_status_code():
    change = add_seats(mirrored_subscription())

    event = events.event_retry_scheduled(
        change_request=change,
        error=PartnerCenterUnavailable("timeout"),
        retry_in=2.0,
        failures=1,
        max_failures=5,
    )

    assert event.parameters == {
        "error": "PartnerCenterUnavailable",
        "status": None,
        "error_code": "",
        "detail": "timeout",
        "retry_in": 2.0,
        "failures": 1,
        "max_failures": 5,
    }
