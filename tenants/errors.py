"""Domain errors of customers, tenants and MPN IDs: a stable ``code`` and a message for the user.

Views show ``message`` (Italian, English through gettext) with the next step; logs keep the cause
(the Partner Center error chained as ``__cause__``).
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.ratelimits import wait_message


class TenantsError(Exception):
    code = "tenants_error"
    default_message = _("Operazione non riuscita.")

    def __init__(self, message=None, *, code: str | None = None) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        super().__init__(str(self.message))


class PartnerCenterUnavailableError(TenantsError):
    """Partner Center could not answer now; nothing was stored and the check can be retried."""

    code = "partner_center_unavailable"
    default_message = _(
        "Partner Center non risponde in questo momento: riprova tra qualche minuto. "
        "I dati inseriti sono stati conservati."
    )


class PartnerCenterBusyError(PartnerCenterUnavailableError):
    """Too many Partner Center lookups now: this user's or reseller's limit, or every page's
    budget; nothing was asked. ``retry_after``: the seconds to wait."""

    code = "partner_center_busy"

    def __init__(self, *, retry_after: int) -> None:
        self.retry_after = max(1, int(retry_after))
        super().__init__(
            gettext(
                "Troppe verifiche su Partner Center in poco tempo: %(wait)s. "
                "I dati inseriti sono stati conservati."
            )
            % {"wait": wait_message(self.retry_after)}
        )


class DomainPrefixInvalidError(TenantsError):
    code = "domain_prefix_invalid"
    default_message = _("Il Domain Prefix ha da 1 a 27 caratteri, solo lettere e cifre.")


class CheckoutNotReadyError(TenantsError):
    """The cart cannot go through the wizard (empty, terms not accepted, already ordered)."""

    code = "checkout_not_ready"


class CheckoutIncompleteError(TenantsError):
    """A step of the wizard still lacks valid data; ``step`` is the one to complete."""

    code = "checkout_incomplete"

    def __init__(self, message=None, *, step: str) -> None:
        super().__init__(message)
        self.step = step
