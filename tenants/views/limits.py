"""The limit on Partner Center lookups started from pages, per user and per reseller.

Every view that may call Partner Center (the «Domain Prefix» checks, «Verifica relazione», the
MPN ID check, the relationship re-check of an existing customer) counts the request here first:
a user, or a reseller's users together, cannot burn the distributor's Partner Center throttling
budget, which every reseller's provisioning shares, nor probe which tenants exist.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from storefront.ratelimits import limited, rate_limit_retry_after
from tenants.errors import PartnerCenterBusyError, PartnerCenterUnavailableError

PARTNER_CENTER_LOOKUPS = "tenants.partner-center-lookups"


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
