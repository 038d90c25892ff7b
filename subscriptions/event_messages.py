"""The wording of change request events for staff (the admin), rendered from their type and
parameters in the reader's language, with every fact: Partner Center codes and MS-RequestIds,
staff and their notes. The Italian text is the msgid; the English is in locale/en.

subscriptions/events.py writes the events; nothing else turns them into sentences. The reseller
reads the subscription's timeline (SubscriptionEvent), never these.
"""

from django.utils.translation import gettext_lazy

from subscriptions.models import ChangeRequestEvent

Type = ChangeRequestEvent.Type

STAFF_TEXTS = {
    Type.REQUESTED: gettext_lazy("Richiesta da %(user_email)s: %(description)s."),
    Type.PLAN_REAPPLIED: gettext_lazy(
        "Partner Center ha rimosso il piano di rinnovo dopo una modifica a metà periodo: "
        "riapplicato automaticamente."
    ),
    Type.TAKEN: gettext_lazy("Presa in carico."),
    Type.ACCEPTED: gettext_lazy("Partner Center ha accettato la modifica (202, %(location)s)."),
    Type.TRANSITION_STARTED: gettext_lazy(
        "Partner Center ha avviato il passaggio (operationId %(operation_id)s)."
    ),
    Type.CONFIRMED: gettext_lazy("Modifica confermata da Partner Center."),
    Type.FAILED: gettext_lazy("Non riuscita: %(code)s %(detail)s"),
    Type.RETRY_SCHEDULED: gettext_lazy(
        "Errore temporaneo (%(error)s %(error_code)s): nuovo tentativo tra %(seconds)s s "
        "(%(failures)s di %(max_failures)s)."
    ),
    Type.STAFF_RETRY: gettext_lazy("Riprova dello staff (%(user_email)s)."),
    Type.STAFF_CANCEL: gettext_lazy("Annullata dallo staff (%(user_email)s)."),
}


def event_staff_text(event: ChangeRequestEvent) -> str:
    """The event in staff's words, with every fact it has. Rows written before the events were
    typed and whose text could not be parsed show that text as it was."""
    parameters = event.parameters
    if "legacy_message" in parameters:
        return parameters["legacy_message"]
    values = {**parameters}
    if event.type == Type.REQUESTED:
        values["description"] = event.change_request.description
    elif event.type == Type.RETRY_SCHEDULED:
        values["seconds"] = f"{parameters.get('retry_in', 0):.0f}"
    text = str(STAFF_TEXTS[event.type]) % values
    if event.type in (Type.STAFF_RETRY, Type.STAFF_CANCEL):
        # The note follows as staff typed it (trailing blanks dropped).
        text = f"{text} {parameters.get('note', '')}".rstrip()
    return text
