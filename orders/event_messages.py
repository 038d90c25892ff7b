"""The wording of order events, rendered from their type and parameters in the reader's
language: ``event_staff_text`` (the admin: every fact, Partner Center errors, MS-RequestIds, staff
and their notes) and ``event_reseller_text`` (the reseller's timeline: what happened and what to
do, no diagnostics). The Italian text is the msgid; the English is in locale/en.

orders/events.py writes the events; nothing else turns them into sentences.
"""

from django.conf import settings
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from notifications.models import Email
from orders.models import FailureReason, Order, OrderEvent, OrderStatus

Type = OrderEvent.Type
Step = OrderEvent.Step

# --- The reseller's words -------------------------------------------------------------------
# Chosen by the event's type, statuses, actor and its step, e-mail kind or failure reason; never
# a Partner Center error, an MS-RequestId or staff's names and notes.
TIMELINE_STATUS_TEXTS = {
    OrderStatus.PLACED: gettext_lazy("Ordine ricevuto da %(user_email)s per il tenant %(tenant)s."),
    OrderStatus.PROVISIONING: gettext_lazy("Attivazione avviata."),
    OrderStatus.AWAITING_RELATIONSHIP: gettext_lazy(
        "In attesa che l'amministratore globale del tenant %(tenant)s accetti l'invito a "
        "stabilire la relazione di rivenditore: l'ordine riprenderà da solo."
    ),
    OrderStatus.ACTIVE: gettext_lazy(
        "Le sottoscrizioni sono attive e le e-mail sono state inviate."
    ),
    OrderStatus.CANCELLED: gettext_lazy("L'ordine è stato annullato dal nostro staff."),
    OrderStatus.RESOLVED: gettext_lazy("Il nostro staff ha chiuso l'ordine."),
}
TIMELINE_RESUMED_TEXTS = {
    OrderStatus.FAILED: gettext_lazy("Il nostro staff ha avviato un nuovo tentativo."),
    OrderStatus.AWAITING_RELATIONSHIP: gettext_lazy(
        "La relazione di rivenditore è stata accettata: l'attivazione riprende."
    ),
}
TIMELINE_FAILURE_TEXTS = {
    FailureReason.MPN_INVALID: gettext_lazy(
        "Attivazione non riuscita: Partner Center non riconosce l'MPN ID %(mpn_id)s come "
        "rivenditore indiretto attivo."
    ),
    FailureReason.RELATIONSHIP_MISSING: gettext_lazy(
        "Attivazione non riuscita: il tenant %(tenant)s non ha una relazione di rivenditore con "
        "il distributore."
    ),
    FailureReason.DOMAIN_TAKEN: gettext_lazy(
        "Attivazione non riuscita: il dominio %(tenant)s è già in uso."
    ),
    FailureReason.PARTNER_CENTER_REJECTED: gettext_lazy(
        "Attivazione non riuscita: Microsoft ha rifiutato l'ordine."
    ),
    FailureReason.PARTNER_CENTER_UNAVAILABLE: gettext_lazy(
        "Attivazione non riuscita: Partner Center non ha risposto per troppo tempo."
    ),
    FailureReason.PARTNER_CENTER_UNAUTHORIZED: gettext_lazy(
        "Attivazione non riuscita per un problema di configurazione del distributore."
    ),
    FailureReason.EMAIL_FAILED: gettext_lazy(
        "Le sottoscrizioni sono attive ma non siamo riusciti a inviarti le e-mail."
    ),
    FailureReason.RESELLER_INACTIVE: gettext_lazy(
        "Attivazione fermata: l'account della tua azienda è stato disattivato."
    ),
    FailureReason.CUSTOMER_AGREEMENT_UNAVAILABLE: gettext_lazy(
        "Attivazione non riuscita: Partner Center non offre il Microsoft Customer Agreement."
    ),
}
TIMELINE_FAILURE_TEXT = gettext_lazy("Attivazione non riuscita.")
TIMELINE_SUPPORT_TEXT = gettext_lazy(
    "Il nostro staff è stato avvisato; per assistenza scrivi a %(support_email)s indicando "
    "l'ordine %(number)s."
)
TIMELINE_CLOSED_SUPPORT_TEXT = gettext_lazy(
    "Per qualsiasi domanda scrivi a %(support_email)s indicando l'ordine %(number)s."
)
TIMELINE_STEP_TEXTS = {
    OrderEvent.Step.MPN: gettext_lazy("MPN ID %(mpn_id)s verificato."),
    OrderEvent.Step.TENANT_LINKED: gettext_lazy("Ordine collegato al tenant esistente %(tenant)s."),
    OrderEvent.Step.TENANT_CREATED: gettext_lazy("Nuovo tenant %(tenant)s creato."),
    OrderEvent.Step.RELATIONSHIP: gettext_lazy(
        "Relazione di rivenditore con il tenant %(tenant)s confermata."
    ),
    OrderEvent.Step.AGREEMENT: gettext_lazy(
        "Accettazione del Microsoft Customer Agreement confermata."
    ),
    OrderEvent.Step.CART: gettext_lazy("Ordine preparato in Partner Center."),
    OrderEvent.Step.CART_SUBMITTED: gettext_lazy("Ordine inviato a Microsoft."),
    OrderEvent.Step.ACTIVATION: gettext_lazy("Sottoscrizioni attivate da Microsoft."),
    OrderEvent.Step.CREDENTIALS_EMAIL: gettext_lazy(
        "E-mail con le credenziali del nuovo tenant inviata."
    ),
    OrderEvent.Step.SUMMARY_EMAIL: gettext_lazy(
        "E-mail di riepilogo della sottoscrizione inviata."
    ),
}
TIMELINE_TYPE_TEXTS = {
    OrderEvent.Type.STEP_COMPLETED: gettext_lazy("Un passo dell'attivazione è stato completato."),
    OrderEvent.Type.EMAIL_SENT: gettext_lazy("E-mail dell'ordine inviata."),
    OrderEvent.Type.RETRY_SCHEDULED: gettext_lazy(
        "Partner Center non ha risposto: riproveremo da soli tra poco, non serve fare nulla."
    ),
    OrderEvent.Type.STAFF_ACTION: gettext_lazy("Il nostro staff ha ripreso l'attivazione."),
}
TIMELINE_SYSTEM_RESUMED_TEXT = gettext_lazy(
    "L'attivazione è ripresa da sola dopo un'interruzione: non serve fare nulla."
)


def event_reseller_text(event: OrderEvent, order: Order) -> str:
    """The event in the reseller's words (``order`` is the event's, with its user loaded)."""
    parameters = event.parameters
    values = {
        "tenant": order.tenant_domain,
        "mpn_id": order.mpn_id,
        "user_email": order.user.email,
        "support_email": settings.SUPPORT_EMAIL,
        "number": order.number,
    }
    if event.type != Type.STATUS_CHANGED:
        if event.type == Type.RETRY_SCHEDULED and event.actor == OrderEvent.Actor.SYSTEM:
            template = TIMELINE_SYSTEM_RESUMED_TEXT
        else:
            about = parameters.get("step") or parameters.get("kind", "")
            template = TIMELINE_STEP_TEXTS.get(about, TIMELINE_TYPE_TEXTS.get(event.type, ""))
        return str(template) % values
    if event.to_status == OrderStatus.FAILED:
        reason = parameters.get("reason", "")
        failure = str(TIMELINE_FAILURE_TEXTS.get(reason, TIMELINE_FAILURE_TEXT)) % values
        return f"{failure} {str(TIMELINE_SUPPORT_TEXT) % values}"
    if event.to_status == OrderStatus.PROVISIONING and event.from_status in TIMELINE_RESUMED_TEXTS:
        return str(TIMELINE_RESUMED_TEXTS[event.from_status]) % values
    text = str(TIMELINE_STATUS_TEXTS.get(event.to_status, "")) % values
    if event.to_status in (OrderStatus.CANCELLED, OrderStatus.RESOLVED):
        text = f"{text} {str(TIMELINE_CLOSED_SUPPORT_TEXT) % values}"
    return text


# --- The staff's words ---------------------------------------------------------------------------


def event_staff_text(event: OrderEvent) -> str:
    """The event in staff's words, with every fact it has. Rows written before the events were
    typed and whose text could not be parsed show that text as it was."""
    parameters = event.parameters
    if "legacy_message" in parameters:
        return parameters["legacy_message"]
    render = {
        Type.STATUS_CHANGED: _staff_status_text,
        Type.STEP_COMPLETED: _staff_step_text,
        Type.EMAIL_SENT: _staff_email_text,
        Type.RETRY_SCHEDULED: _staff_retry_text,
        Type.STAFF_ACTION: _staff_action_text,
    }[event.type]
    return render(event, parameters)


def _staff_status_text(event: OrderEvent, parameters: dict) -> str:
    to_status, from_status = event.to_status, event.from_status
    user_email = parameters.get("user_email", "")
    if to_status == OrderStatus.PLACED:
        tenant_kind = (
            _("nuovo tenant") if parameters.get("is_new_tenant") else _("tenant esistente")
        )
        return _("Ordine ricevuto da %(user_email)s per %(company)s (%(tenant)s, %(kind)s).") % {
            "user_email": user_email,
            "company": parameters.get("company_name", ""),
            "tenant": event.order.tenant_domain,
            "kind": tenant_kind,
        }
    if to_status == OrderStatus.FAILED:
        return _("Attivazione non riuscita: %(detail)s") % {
            "detail": parameters.get("detail") or parameters.get("reason", "")
        }
    if to_status == OrderStatus.AWAITING_RELATIONSHIP:
        until = parse_datetime(parameters.get("waiting_until", ""))
        return _(
            "Il tenant %(tenant)s non ha ancora accettato la relazione di rivenditore: l'ordine "
            "riprenderà da solo appena accettata (attesa fino al %(until)s)."
        ) % {
            "tenant": event.order.tenant_domain,
            "until": formats.date_format(timezone.localtime(until), "SHORT_DATE_FORMAT")
            if until
            else "",
        }
    if to_status == OrderStatus.PROVISIONING:
        if from_status == OrderStatus.FAILED:
            return _("Nuovo tentativo richiesto da %(user_email)s.") % {"user_email": user_email}
        if from_status == OrderStatus.AWAITING_RELATIONSHIP:
            return _(
                "Relazione di rivenditore accettata dal tenant %(tenant)s: l'attivazione riprende."
            ) % {"tenant": event.order.tenant_domain}
        return _("Attivazione avviata.")
    if to_status == OrderStatus.ACTIVE:
        return _("La sottoscrizione è attiva. E-mail inviate.")
    text = {
        OrderStatus.CANCELLED: _("Ordine annullato da %(user_email)s."),
        OrderStatus.RESOLVED: _("Segnato come risolto da %(user_email)s."),
    }[to_status] % {"user_email": user_email}
    if parameters.get("note"):
        text = f"{text} {_('Nota: %(note)s') % {'note': parameters['note']}}"
    return text


def _staff_step_text(event: OrderEvent, parameters: dict) -> str:
    step = parameters.get("step", "")
    values = {
        "mpn_id": parameters.get("mpn_id", ""),
        "domain": parameters.get("domain", ""),
        "customer_id": parameters.get("customer_id", ""),
        "cart_id": parameters.get("cart_id", ""),
        "line_count": parameters.get("line_count", 0),
        "order_ids": ", ".join(parameters.get("partner_center_order_ids", [])),
        "subscriptions": ", ".join(
            f"{title} ({subscription_id})"
            for title, subscription_id in parameters.get("subscriptions", [])
        ),
    }
    if step == Step.TENANT_CREATED and parameters.get("is_adopted"):
        template = STAFF_ADOPTED_TENANT_TEXT
    elif step == Step.AGREEMENT and parameters.get("was_already_accepted"):
        template = STAFF_AGREEMENT_ALREADY_TEXT
    else:
        template = STAFF_STEP_TEXTS.get(step, Step(step).label if step in Step.values else step)
    return str(template) % values


def _staff_email_text(event: OrderEvent, parameters: dict) -> str:
    kind = parameters.get("kind", "")
    label = Email.Kind(kind).label if kind in Email.Kind.values else kind
    return _("E-mail «%(kind)s» inviata a %(recipients)s.") % {
        "kind": label,
        "recipients": ", ".join(parameters.get("recipients", [])),
    }


def _staff_retry_text(event: OrderEvent, parameters: dict) -> str:
    operation = parameters.get("operation", "")
    if operation == OrderEvent.Operation.RESUME:
        return _("Attivazione ripresa: nessuna attività da %(minutes)s minuti.") % {
            "minutes": parameters.get("idle_minutes", 0)
        }
    values = {
        "error": f"{parameters.get('error', '')}: {parameters.get('detail', '')}",
        "seconds": f"{parameters.get('retry_in', 0):.0f}",
        "failures": parameters.get("failures", ""),
        "max_failures": parameters.get("max_failures", ""),
    }
    if operation == OrderEvent.Operation.RELATIONSHIP_CHECK:
        return (
            _(
                "Verifica della relazione non riuscita (%(error)s): nuovo tentativo tra "
                "%(seconds)s s."
            )
            % values
        )
    return (
        _(
            "Errore temporaneo (%(error)s): nuovo tentativo tra %(seconds)s s "
            "(%(failures)s di %(max_failures)s)."
        )
        % values
    )


def _staff_action_text(event: OrderEvent, parameters: dict) -> str:
    if parameters.get("action") == OrderEvent.StaffAction.RESUME:
        return _("Attivazione ripresa: nessuna attività da %(minutes)s minuti.") % {
            "minutes": parameters.get("idle_minutes", 0)
        }
    return _("Verifica della relazione richiesta da %(user_email)s.") % {
        "user_email": parameters.get("user_email", "")
    }


STAFF_STEP_TEXTS = {
    Step.MPN: gettext_lazy(
        "MPN ID %(mpn_id)s verificato: rivenditore indiretto attivo, MPA firmato."
    ),
    Step.TENANT_LINKED: gettext_lazy(
        "Tenant %(domain)s collegato (cliente Partner Center %(customer_id)s)."
    ),
    Step.TENANT_CREATED: gettext_lazy(
        "Tenant %(domain)s creato (cliente Partner Center %(customer_id)s)."
    ),
    Step.RELATIONSHIP: gettext_lazy("Relazione di rivenditore accettata dal tenant %(domain)s."),
    Step.AGREEMENT: gettext_lazy("Accettazione del Microsoft Customer Agreement confermata."),
    Step.CART: gettext_lazy("Carrello Partner Center %(cart_id)s creato con %(line_count)s righe."),
    Step.CART_SUBMITTED: gettext_lazy("Ordine inviato a Microsoft (ordini %(order_ids)s)."),
    Step.ACTIVATION: gettext_lazy("Sottoscrizioni attive: %(subscriptions)s."),
}
STAFF_AGREEMENT_ALREADY_TEXT = gettext_lazy(
    "Accettazione del Microsoft Customer Agreement confermata (era già stato accettato)."
)
STAFF_ADOPTED_TENANT_TEXT = gettext_lazy(
    "Tenant %(domain)s creato da una richiesta la cui risposta era andata persa, riconosciuto "
    "tra i clienti del distributore (cliente Partner Center %(customer_id)s). Partner Center non "
    "ripete la password iniziale dell'amministratore: va reimpostata nell'interfaccia di "
    "amministrazione di Microsoft 365 e comunicata al rivenditore (avviso inviato allo staff)."
)
