"""Order events become typed: ``kind`` is renamed ``type``, and the Italian ``message`` with its
``code`` become ``parameters`` (the facts, rendered in the reader's language by
orders/event_messages.py).

Existing rows: the code goes to ``step`` (step_completed), ``kind`` (email_sent) or ``reason``
(a move to failed), so the reseller's timeline reads as before; the message is parsed back into
its facts with the patterns below, one per text the code wrote. A message no pattern matches is
kept whole as ``legacy_message`` and shown to staff as it is.
"""

import re

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import migrations, models

EMAIL = r"(?P<user_email>\S+@\S+)"
ERROR = r"\((?P<error>\w+): (?P<detail>.*)\)"
NOTE = r"(?: Nota: (?P<note>.*))?"
RESUMED = r"Attivazione ripresa: nessuna attività da (?P<idle_minutes>\d+) minuti\."
# (type, to_status or step, pattern): the texts the code wrote before this migration.
PATTERNS = [
    ("status_changed", "placed", rf"Ordine ricevuto da {EMAIL} per (?P<company_name>.+) "
     r"\([^,]+, (?P<tenant_kind>nuovo tenant|tenant esistente)\)\."),
    ("status_changed", "provisioning", r"Attivazione avviata\."),
    ("status_changed", "provisioning", rf"Nuovo tentativo richiesto da {EMAIL}\."),
    ("status_changed", "provisioning",
     r"Relazione di rivenditore accettata dal tenant \S+: l'attivazione riprende\."),
    ("status_changed", "active", r"La sottoscrizione è attiva\. E-mail inviate\."),
    ("status_changed", "awaiting_relationship", r"Il tenant \S+ non ha ancora accettato .*"
     r"\(attesa fino al (?P<day>\d\d)/(?P<month>\d\d)/(?P<year>\d{4})\)\."),
    ("status_changed", "failed", r"Attivazione non riuscita: (?P<detail>.*)"),
    ("status_changed", "cancelled", rf"Ordine annullato da {EMAIL}\.{NOTE}"),
    ("status_changed", "resolved", rf"Segnato come risolto da {EMAIL}\.{NOTE}"),
    ("step_completed", "mpn",
     r"MPN ID (?P<mpn_id>\S+) verificato: rivenditore indiretto attivo, MPA firmato\."),
    ("step_completed", "tenant_linked",
     r"Tenant (?P<domain>\S+) collegato \(cliente Partner Center (?P<customer_id>[^)]+)\)\."),
    ("step_completed", "tenant_created",
     r"Tenant (?P<domain>\S+) creato \(cliente Partner Center (?P<customer_id>[^)]+)\)\."),
    ("step_completed", "tenant_created",
     r"Tenant (?P<domain>\S+) creato da una richiesta la cui risposta era andata persa, .*"
     r"\(cliente Partner Center (?P<customer_id>[^)]+)\)\. Partner Center non ripete .*"),
    ("step_completed", "relationship",
     r"Relazione di rivenditore accettata dal tenant (?P<domain>\S+)\."),
    ("step_completed", "agreement", r"Accettazione del Microsoft Customer Agreement "
     r"confermata(?P<already> \(era già stato accettato\))?\."),
    ("step_completed", "cart",
     r"Carrello Partner Center (?P<cart_id>\S+) creato con (?P<line_count>\d+) righe\."),
    ("step_completed", "cart_submitted", r"Ordine inviato a Microsoft \(ordini (?P<ids>.*)\)\."),
    ("step_completed", "activation", r"Sottoscrizioni attive: (?P<summary>.*)\."),
    ("email_sent", "", r"E-mail «.+» inviata a (?P<recipients>.*)\."),
    ("retry_scheduled", "", rf"Errore temporaneo {ERROR}: nuovo tentativo tra "
     r"(?P<retry_in>\d+) s \((?P<failures>\d+) di (?P<max_failures>\d+)\)\."),
    ("retry_scheduled", "", rf"Verifica della relazione non riuscita {ERROR}: nuovo tentativo "
     r"tra (?P<retry_in>\d+) s\."),
    ("retry_scheduled", "", RESUMED),
    ("staff_action", "", RESUMED),
    ("staff_action", "", rf"Verifica della relazione richiesta da {EMAIL}\."),
]  # fmt: skip
SUBSCRIPTION = re.compile(r"(.*?) \(([^()]*)\)(?:, |$)")


def parameters_of(event) -> dict:
    """The typed parameters of an event row written before this migration."""
    about = event.to_status if event.kind == "status_changed" else event.code
    structured = {}
    if event.kind == "step_completed":
        structured["step"] = event.code
    elif event.kind == "email_sent":
        structured["kind"] = event.code
    elif event.to_status == "failed" and event.code:
        structured["reason"] = event.code
    for kind, subject, pattern in PATTERNS:
        if kind != event.kind or (subject and subject != about):
            continue
        match = re.fullmatch(pattern, event.message, flags=re.DOTALL)
        facts = match and _facts(event, match.groupdict())
        if facts is not None:
            return {**structured, **facts}
    return {**structured, "legacy_message": event.message}


def _facts(event, found: dict) -> dict | None:
    facts = {name: value for name, value in found.items() if value is not None}
    if "tenant_kind" in facts:
        facts["is_new_tenant"] = facts.pop("tenant_kind") == "nuovo tenant"
    if "year" in facts:
        facts = {"waiting_until": "{year}-{month}-{day}T12:00:00+00:00".format(**facts)}
    if "already" in facts:
        facts = {"was_already_accepted": True}
    if event.kind == "step_completed" and "Partner Center non ripete" in event.message:
        facts["is_adopted"] = True
    if "line_count" in facts:
        facts["line_count"] = int(facts["line_count"])
    if "ids" in facts:
        facts = {"partner_center_order_ids": facts["ids"].split(", ")}
    if "summary" in facts:
        pairs = SUBSCRIPTION.findall(facts["summary"])
        if ", ".join(f"{title} ({id_})" for title, id_ in pairs) != facts["summary"]:
            return None
        facts = {"subscriptions": [list(pair) for pair in pairs]}
    if "recipients" in facts:
        facts["recipients"] = facts["recipients"].split(", ")
    if "error" in facts:
        facts.update(
            operation="provisioning" if "failures" in facts else "relationship_check",
            status=429 if facts["error"] == "PartnerCenterRateLimited" else None,
            error_code="",
            retry_in=float(facts["retry_in"]),
        )
        for name in ("failures", "max_failures"):
            if name in facts:
                facts[name] = int(facts[name])
    if "idle_minutes" in facts:
        facts["idle_minutes"] = int(facts["idle_minutes"])
        if event.kind == "retry_scheduled":
            facts["operation"] = "resume"
        else:
            facts["action"] = "resume"
    if event.kind == "staff_action" and "user_email" in facts:
        facts["action"] = "relationship_check"
    if event.kind == "staff_action" and facts.get("action") == "resume" and event.actor_user_id:
        facts["user_email"] = event.actor_user.email
    return facts


def type_events(apps, schema_editor):
    OrderEvent = apps.get_model("orders", "OrderEvent")
    events = OrderEvent.objects.select_related("actor_user").order_by("pk")
    batch = []
    for event in events.iterator(chunk_size=2000):
        event.parameters = parameters_of(event)
        batch.append(event)
        if len(batch) == 2000:
            OrderEvent.objects.bulk_update(batch, ["parameters"])
            batch = []
    OrderEvent.objects.bulk_update(batch, ["parameters"])


def untype_events(apps, schema_editor):
    """Back to the generic rows: the code again; the message where it was kept, else the
    parameters as JSON (staff read them in the admin either way)."""
    OrderEvent = apps.get_model("orders", "OrderEvent")
    for event in OrderEvent.objects.order_by("pk").iterator(chunk_size=2000):
        parameters = event.parameters
        event.code = (
            parameters.get("step") or parameters.get("kind") or parameters.get("reason") or ""
        )
        event.message = parameters.get("legacy_message") or DjangoJSONEncoder().encode(parameters)
        event.save(update_fields=["code", "message"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0008_rename_checkout_to_cart_submit"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="orderevent",
            name="parameters",
            field=models.JSONField(blank=True, default=dict, encoder=DjangoJSONEncoder),
        ),
        migrations.RunPython(type_events, untype_events),
        # A default only so that reversing this migration can add the column back to full rows.
        migrations.AlterField(
            model_name="orderevent", name="message", field=models.TextField(default="")
        ),
        migrations.RemoveField(model_name="orderevent", name="code"),
        migrations.RemoveField(model_name="orderevent", name="message"),
        migrations.RenameField(model_name="orderevent", old_name="kind", new_name="type"),
        migrations.AddIndex(
            model_name="orderevent",
            index=models.Index(fields=["type", "created_at"], name="orders_event_type"),
        ),
    ]
