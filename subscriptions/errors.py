"""Why a change is refused, in the reseller's words, with what to do next.

A refusal has a stable code: Partner Center's own (``800090``, ``900117``, …) whether it came from
Partner Center or from our checks before any call (the same rule, found earlier), or one of ours.
The text is looked up at display time, so it follows the reader's language; staff see the
Partner Center detail in the admin.
"""

from django.utils.translation import gettext_lazy as _

# Codes of our own checks that Partner Center has no code for.
CHANGE_IN_PROGRESS = "change_in_progress"
NOT_ACTIVE = "not_active"
NAME_MISMATCH = "name_mismatch"
LAST_SEAT = "last_seat"
PARTNER_CENTER_UNAVAILABLE = "partner_center_unavailable"
PARTNER_CENTER_UNAUTHORIZED = "partner_center_unauthorized"
CANCELLED_BY_STAFF = "cancelled_by_staff"
PLAN_NEEDS_AUTO_RENEW = "plan_needs_auto_renew"
PLAN_NOT_ELIGIBLE = "plan_not_eligible"
PLAN_NOT_REMOVED = "plan_not_removed"
PLAN_INVALID = "plan_invalid"
UPGRADE_NOT_OFFERED = "upgrade_not_offered"
UPGRADE_SEATS = "upgrade_seats"
UPGRADE_FAILED = "upgrade_failed"
NOT_SUSPENDED = "not_suspended"
ALREADY_SUSPENDED = "already_suspended"

MESSAGES = {
    "800090": _(
        "Le licenze non si possono più ridurre: i 7 giorni dall'acquisto o dall'aggiunta sono "
        "passati. Puoi ridurle al rinnovo, oppure disattivare il rinnovo automatico."
    ),
    "900117": _(
        "La finestra di cancellazione di 7 giorni è chiusa: la sottoscrizione non si può più "
        "cancellare. Disattiva il rinnovo automatico per non rinnovarla alla scadenza."
    ),
    "2002": _(
        "Il numero di licenze è fuori dai limiti del prodotto. Scegli un numero tra il minimo e "
        "il massimo indicati nel catalogo."
    ),
    "800088": _(
        "Il cliente ha raggiunto il numero massimo di licenze per questo prodotto. Riduci il "
        "numero richiesto o valuta un piano Enterprise."
    ),
    "800091": _(
        "La sottoscrizione è sospesa: le licenze non si possono cambiare finché non viene "
        "riattivata. Contatta il distributore."
    ),
    "900400": _(
        "Microsoft non riconosce il tuo MPN ID come partner of record valido (rivenditore "
        "indiretto attivo del distributore). Verifica l'MPN ID nel profilo o contatta il "
        "distributore."
    ),
    "2011": _("La sottoscrizione è già cancellata: non si può più modificare."),
    "800093": _("Questa sottoscrizione non prevede il rinnovo automatico."),
    "800095": _("La sottoscrizione è ancora in attivazione: riprova tra qualche minuto."),
    CHANGE_IN_PROGRESS: _(
        "È in corso un'altra modifica di questa sottoscrizione: attendi che finisca."
    ),
    NOT_ACTIVE: _("La sottoscrizione non è attiva: non si può modificare."),
    LAST_SEAT: _("Resta almeno una licenza: per toglierle tutte cancella la sottoscrizione."),
    NAME_MISMATCH: _(
        "Il nome scritto non corrisponde a quello della sottoscrizione: la cancellazione non è "
        "stata richiesta."
    ),
    PARTNER_CENTER_UNAVAILABLE: _(
        "Microsoft Partner Center non ha risposto per troppo tempo: la modifica non è stata "
        "fatta. Riprova più tardi; lo staff del distributore è stato avvisato."
    ),
    PARTNER_CENTER_UNAUTHORIZED: _(
        "Il distributore non è al momento autorizzato presso Microsoft: la modifica non è stata "
        "fatta. Lo staff del distributore è stato avvisato."
    ),
    CANCELLED_BY_STAFF: _("La richiesta è stata annullata dallo staff del distributore."),
    PLAN_NEEDS_AUTO_RENEW: _(
        "Il rinnovo si pianifica solo con il rinnovo automatico attivo: attivalo e riprova."
    ),
    PLAN_NOT_ELIGIBLE: _(
        "Microsoft non consente questo prodotto al rinnovo di questa sottoscrizione. Scegli un "
        "altro prodotto o mantieni quello attuale."
    ),
    PLAN_NOT_REMOVED: _(
        "Microsoft non ha rimosso il piano di rinnovo. Riprova più tardi o contatta il "
        "distributore."
    ),
    PLAN_INVALID: _(
        "Il piano di rinnovo non è valido: controlla licenze, durata e fatturazione del catalogo."
    ),
    # Transition eligibility codes (Partner Center's TransitionErrorCode).
    "6": _(
        "Il passaggio è bloccato dagli add-on di questa sottoscrizione: cancellali o riducili "
        "prima, oppure scegli un altro prodotto."
    ),
    "2": _("La sottoscrizione non è attiva: non può passare a un altro prodotto."),
    "9": _("La sottoscrizione è ancora in attivazione: riprova tra qualche minuto."),
    "8": _(
        "Microsoft non offre più questo passaggio per la sottoscrizione: apri di nuovo la pagina "
        "e scegli tra i prodotti proposti."
    ),
    UPGRADE_NOT_OFFERED: _(
        "Questo prodotto non è tra quelli a cui la sottoscrizione può passare ora: scegli tra "
        "quelli proposti."
    ),
    UPGRADE_SEATS: _(
        "Puoi far passare al massimo le licenze che la sottoscrizione ha: riduci il numero."
    ),
    UPGRADE_FAILED: _(
        "Microsoft non ha completato il passaggio: le licenze sono rimaste dove erano. Contatta "
        "il supporto del distributore."
    ),
    NOT_SUSPENDED: _("La sottoscrizione non è sospesa: non c'è nulla da riattivare."),
    ALREADY_SUSPENDED: _("La sottoscrizione è già sospesa: puoi riattivarla."),
}


def change_failure_message(code: str) -> str:
    if code in MESSAGES:
        return str(MESSAGES[code])
    return str(
        _(
            "Microsoft ha rifiutato la modifica (codice %(code)s). Contatta il supporto del "
            "distributore indicando il codice."
        )
        % {"code": code or "—"}
    )


class ChangeRefused(Exception):
    """A change that cannot be made, for a reason the reseller can read (``code``)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail

    @property
    def message(self) -> str:
        return change_failure_message(self.code)


class ChangeTransitionError(Exception):
    """A change request status move that the transition table does not allow."""
