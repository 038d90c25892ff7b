"""Partner Center lookups started from pages: their limit per user and per reseller, and the
errors a page shows when Partner Center cannot answer one.

Every view that may call Partner Center (the «Domain Prefix» checks, «Verifica relazione», the
MPN ID check, the relationship re-check of an existing customer) counts the request here first:
a user, or a reseller's users together, cannot burn the distributor's Partner Center throttling
budget, which every reseller's provisioning shares, nor probe which tenants exist.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from storefront.errors import UserFacingError
from storefront.ratelimits import limited, rate_limit_retry_after, wait_message

PARTNER_CENTER_LOOKUPS = "tenants.partner-center-lookups"  # the counters' key, kept


class PartnerCenterUnavailableError(UserFacingError):
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


def partner_center_lookup_allow(request: HttpRequest) -> None:
    """Count one lookup for the user and its reseller; PartnerCenterBusyError over a limit."""
    user = request.user
    retry_after = rate_limit_retry_after(
        request,
        group=PARTNER_CENTER_LOOKUPS,
        limits=[
            (f"user:{user.pk}", settings.PARTNER_CENTER_LOOKUP_RATE_PER_USER),
            (f"reseller:{user.reseller_id}", settings.PARTNER_CENTER_LOOKUP_RATE_PER_RESELLER),
        ],
    )
    if retry_after is not None:
        raise PartnerCenterBusyError(retry_after=retry_after)


def with_retry_after(response: HttpResponse, error: PartnerCenterUnavailableError) -> HttpResponse:
    """A page answering a refused lookup: 429 with Retry-After when it was a limit."""
    if isinstance(error, PartnerCenterBusyError):
        return limited(response, error.retry_after)
    return response
