"""Change request events become typed: the Italian ``message`` becomes a ``type`` and its
``parameters`` (the facts, rendered in the reader's language by subscriptions/event_messages.py).

Existing rows: the message is parsed back into its type and facts with the patterns below, one per
text the code wrote. A message no pattern matches is kept whole as ``legacy_message`` and shown
to staff as it is; its type then follows from the move it records (``legacy`` if none).
"""

import re

from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

STAFF = r"\((?P<user_email>[^)]+)\)\.(?: (?P<note>.*))?"
# (type, to_status, pattern): the texts the code wrote before this migration.
PATTERNS = [
    ("requested", "requested", r"Richiesta da (?P<user_email>\S+): .*\."),
    ("plan_reapplied", "requested", r"Partner Center ha rimosso il piano di rinnovo dopo una "
     r"modifica a metà periodo: riapplicato automaticamente\."),
    ("taken", "submitted", r"Presa in carico\."),
    ("accepted", "", r"Partner Center ha accettato la modifica \(202, (?P<location>.*)\)\."),
    ("transition_started", "",
     r"Partner Center ha avviato il passaggio \(operationId (?P<operation_id>.*)\)\."),
    ("confirmed", "completed", r"Modifica confermata da Partner Center\."),
    ("failed", "failed", r"Non riuscita: (?P<code>\S+) (?P<detail>.*)"),
    ("retry_scheduled", "", r"Errore temporaneo \((?P<error>\w+) (?P<error_code>\S*)\): nuovo "
     r"tentativo tra (?P<retry_in>\d+) s \((?P<failures>\d+) di (?P<max_failures>\d+)\)\."),
    ("staff_retry", "submitted", rf"Riprova dello staff {STAFF}"),
    ("staff_cancel", "cancelled", rf"Annullata dallo staff {STAFF}"),
]  # fmt: skip


def typed(event) -> tuple[str, dict]:
    """The type and parameters of an event row written before this migration."""
    for type_, to_status, pattern in PATTERNS:
        if to_status != event.to_status:
            continue
        match = re.fullmatch(pattern, event.message, flags=re.DOTALL)
        if match:
            return type_, _facts(match.groupdict())
    return _type_of_move(event), {"legacy_message": event.message}


def _facts(found: dict) -> dict:
    facts = dict(found)
    if "note" in facts:
        facts["note"] = facts["note"] or ""
    if facts.get("location") == "None":
        facts["location"] = None  # a 202 without a Location header
    if "error" in facts:
        facts.update(
            status=429 if facts["error"] == "PartnerCenterRateLimited" else None,
            detail="",
            retry_in=float(facts["retry_in"]),
            failures=int(facts["failures"]),
            max_failures=int(facts["max_failures"]),
        )
    return facts


def _type_of_move(event) -> str:
    if event.to_status == "requested":
        return "requested" if event.actor == "reseller" else "plan_reapplied"
    if event.to_status == "submitted":
        return "staff_retry" if event.from_status == "failed" else "taken"
    return {"completed": "confirmed", "failed": "failed", "cancelled": "staff_cancel"}.get(
        event.to_status, "legacy"
    )


def type_events(apps, schema_editor):
    ChangeRequestEvent = apps.get_model("subscriptions", "ChangeRequestEvent")
    batch = []
    for event in ChangeRequestEvent.objects.order_by("pk").iterator(chunk_size=2000):
        event.type, event.parameters = typed(event)
        batch.append(event)
        if len(batch) == 2000:
            ChangeRequestEvent.objects.bulk_update(batch, ["type", "parameters"])
            batch = []
    ChangeRequestEvent.objects.bulk_update(batch, ["type", "parameters"])


def untype_events(apps, schema_editor):
    """Back to prose: the message where it was kept, else the type and parameters as JSON (staff
    read them in the admin either way)."""
    ChangeRequestEvent = apps.get_model("subscriptions", "ChangeRequestEvent")
    for event in ChangeRequestEvent.objects.order_by("pk").iterator(chunk_size=2000):
        parameters = event.parameters
        event.message = parameters.get("legacy_message") or DjangoJSONEncoder().encode(
            {"type": event.type, **parameters}
        )
        event.save(update_fields=["message"])


class Migration(migrations.Migration):
    dependencies = [
        ("subscriptions", "0004_change_kinds_of_renewals_and_upgrades"),
    ]

    operations = [
        migrations.AddField(
            model_name="changerequestevent",
            name="type",
            field=models.CharField(
                choices=[
                    ("requested", "Richiesta dal rivenditore"),
                    ("plan_reapplied", "Piano di rinnovo riapplicato"),
                    ("taken", "Presa in carico"),
                    ("accepted", "Accettata da Partner Center (202)"),
                    ("transition_started", "Passaggio avviato"),
                    ("confirmed", "Confermata da Partner Center"),
                    ("failed", "Non riuscita"),
                    ("retry_scheduled", "Nuovo tentativo programmato"),
                    ("staff_retry", "Riprova dello staff"),
                    ("staff_cancel", "Annullata dallo staff"),
                    ("legacy", "Evento precedente"),
                ],
                default="legacy",
                max_length=24,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="changerequestevent",
            name="parameters",
            field=models.JSONField(blank=True, default=dict, encoder=DjangoJSONEncoder),
        ),
        migrations.RunPython(type_events, untype_events),
        # A default only so that reversing this migration can add the column back to full rows.
        migrations.AlterField(
            model_name="changerequestevent", name="message", field=models.TextField(default="")
        ),
        migrations.RemoveField(model_name="changerequestevent", name="message"),
        migrations.AddIndex(
            model_name="changerequestevent",
            index=models.Index(fields=["type", "created_at"], name="subscriptions_event_type"),
        ),
    ]
