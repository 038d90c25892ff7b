"""How provisioning reads what went wrong: transient (retry), business (fail with a reason), wait.

Partner Center answers 20002 (no relationship) with HTTP 403 and a code, which the client reports
as PartnerCenterBusinessError; PartnerCenterUnauthorized is a 401 or an uncoded 403, our
credentials failing. tenants' services (MPN ID, relationship checks) wrap every Partner Center
error into PartnerCenterUnavailableError, chaining the original: ``partner_center_cause`` gives
it back, so that a 401 fails the order at once and a 429 keeps its Retry-After.
"""

from notifications.services import EmailTemporaryFailure
from orders.models import FailureReason
from orders.services.status import Failure
from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterError,
    PartnerCenterInvalidResponse,
    PartnerCenterNoCustomerAgreementTemplate,
    PartnerCenterNotFound,
    PartnerCenterRateLimited,
    PartnerCenterUnauthorized,
    PartnerCenterUnavailable,
)
from partnercenter.lookups import PartnerCenterUnavailableError

# Partner Center codes (docs/partner-center.md#errors) and the reason the reseller reads for them.
REASON_BY_CODE = {
    "20002": FailureReason.RELATIONSHIP_MISSING,
    "900154": FailureReason.MPN_INVALID,
    "3000": FailureReason.MPN_INVALID,
    "2072": FailureReason.MPN_INVALID,
    "2200": FailureReason.MPN_INVALID,
    "2201": FailureReason.MPN_INVALID,
    "2203": FailureReason.MPN_INVALID,
    "2204": FailureReason.MPN_INVALID,
}
DOMAIN_IN_USE = (409, "2000")  # POST /v1/customers for a domain that already exists
PARTNER_NOT_ACTIVE = (400, "2000")  # POST /v1/customers with an AssociatedPartnerId not active

# Errors after which the same work may succeed later; everything else fails the order at once.
TRANSIENT_ERRORS = (
    PartnerCenterUnavailable,  # includes PartnerCenterOutcomeUnknown
    PartnerCenterRateLimited,
    PartnerCenterInvalidResponse,
    PartnerCenterUnavailableError,  # tenants' checks (MPN, relationship) could not reach it
    EmailTemporaryFailure,
)

# Definite refusals: the order fails at once with the reason of failure_from_partner_center.
# No Microsoft Customer Agreement template is an unusable answer to the client, but asking again
# brings the same answer until the distributor's account is fixed: only staff can act on it.
BUSINESS_ERRORS = (
    PartnerCenterBusinessError,
    PartnerCenterNotFound,
    PartnerCenterUnauthorized,
    PartnerCenterNoCustomerAgreementTemplate,
)


class StepFailed(Exception):
    """A step met a definite refusal: the order fails with ``failure``."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.detail or failure.reason)
        self.failure = failure


class AwaitingRelationship(Exception):
    """The existing tenant has not accepted the reseller relationship yet: park the order."""


class ProvisioningStopped(Exception):
    """The order left ``provisioning`` under us (another run failed or finished it): stop."""


def partner_center_cause(exc: Exception) -> Exception:
    """The Partner Center error a tenants' PartnerCenterUnavailableError wraps, else ``exc``."""
    cause = exc.__cause__
    if isinstance(exc, PartnerCenterUnavailableError) and isinstance(cause, PartnerCenterError):
        return cause
    return exc


def failure_from_partner_center(exc: PartnerCenterError) -> Failure:
    """The order's Failure for a definite Partner Center refusal."""
    code = exc.error_code
    description = getattr(exc, "description", "") or exc.message
    detail = (
        f"{exc.message} (MS-RequestId {exc.ms_request_id})" if exc.ms_request_id else exc.message
    )
    if isinstance(exc, PartnerCenterNoCustomerAgreementTemplate):
        return Failure(reason=FailureReason.CUSTOMER_AGREEMENT_UNAVAILABLE, detail=detail)
    if (exc.http_status, code) == DOMAIN_IN_USE:
        return Failure(reason=FailureReason.DOMAIN_TAKEN, code=code, detail=detail)
    if (exc.http_status, code) == PARTNER_NOT_ACTIVE:
        return Failure(reason=FailureReason.MPN_INVALID, code=code, detail=detail)
    if isinstance(exc, PartnerCenterUnauthorized) and code not in REASON_BY_CODE:
        return Failure(reason=FailureReason.PARTNER_CENTER_UNAUTHORIZED, code=code, detail=detail)
    reason = REASON_BY_CODE.get(code, FailureReason.PARTNER_CENTER_REJECTED)
    return Failure(reason=reason, code=code, detail=f"{description} — {detail}")


def failure_from_code(*, code: str, description: str) -> Failure:
    """The order's Failure for a refusal inside a 2xx answer (a cart line error, an orderError
    of the cart submission)."""
    reason = REASON_BY_CODE.get(str(code), FailureReason.PARTNER_CENTER_REJECTED)
    return Failure(reason=reason, code=str(code), detail=description)


def exhausted_reason(exc: Exception) -> str:
    """The reason an order fails with when this transient error keeps coming back."""
    if isinstance(exc, EmailTemporaryFailure):
        return FailureReason.EMAIL_FAILED
    return FailureReason.PARTNER_CENTER_UNAVAILABLE


def reseller_inactive_failure(order) -> Failure:
    """Staff deactivated the order's reseller: its orders stop before the next Partner Center
    call (a provisioning run, a relationship check). Reactivated, staff resume the order."""
    return Failure(
        reason=FailureReason.RESELLER_INACTIVE,
        detail=f"Il rivenditore {order.reseller.company_name} è disattivato: l'ordine è fermo "
        "prima della prossima chiamata a Partner Center. Riattiva il rivenditore e riprendi "
        "l'ordine, oppure annullalo.",
    )
