"""MPN ID validation against Partner Center (docs/product.md#mpn-id-validation).

Only the MPN ID on the reseller's profile is ever validated for it: staff register it in the
admin, the storefront never adopts a typed one (anyone could type another reseller's). Any other
MPN ID, or none on the profile, is refused without calling Partner Center. Then format (6–10
digits), then both: the MPN ID is an ``Active`` indirect reseller of the
distributor (the relationship list, which also yields the reseller's tenant id) and its Microsoft
Partner Agreement is signed. Valid results are cached per reseller and MPN ID for
``MPN_VALIDATION_CACHE_SECONDS``; the provisioning worker and ``revalidate_mpn`` bypass the cache.
"""

import logging
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from partnercenter.errors import (
    PartnerCenterBudgetExhausted,
    PartnerCenterBusinessError,
    PartnerCenterError,
    PartnerCenterNotFound,
)
from partnercenter.lookups import PartnerCenterBusyError, PartnerCenterUnavailableError
from partnercenter.services import partner_center_client, partner_center_timeouts
from resellers.choices import MpnReason, MpnRecheckOutcome
from storefront.models import Reseller
from storefront.validators import MPN_ID_PATTERN, OTHER_DIGITS_MESSAGE, has_other_digits

logger = logging.getLogger(__name__)

# What the reseller reads and can act on, for each reason.
REASON_MESSAGES = {
    MpnReason.NOT_REGISTERED: _(
        "L'MPN ID %(mpn_id)s non è quello registrato presso il distributore per la tua azienda: "
        "usa l'MPN ID registrato (%(profile_mpn_id)s). Per cambiarlo contatta l'assistenza: "
        "%(support_email)s."
    ),
    MpnReason.MISSING: _(
        "Il distributore non ha ancora registrato un MPN ID per la tua azienda: contatta "
        "l'assistenza (%(support_email)s) per farlo registrare, poi riprova."
    ),
    MpnReason.FORMAT: _("L'MPN ID è composto solo da cifre, da 6 a 10."),
    MpnReason.OTHER_DIGITS: OTHER_DIGITS_MESSAGE,
    MpnReason.INVALID: _(
        "L'MPN ID %(mpn_id)s non è valido: Microsoft non lo riconosce o non è ancora stato "
        "migrato in Partner Center."
    ),
    MpnReason.NOT_FOUND: _("Microsoft non trova nessun profilo partner con l'MPN ID %(mpn_id)s."),
    MpnReason.NOT_OUR_RESELLER: _(
        "L'MPN ID %(mpn_id)s non risulta tra i rivenditori indiretti del distributore: "
        "contatta l'assistenza per essere abilitato."
    ),
    MpnReason.RESELLER_INACTIVE: _(
        "Il rapporto di rivenditore indiretto dell'MPN ID %(mpn_id)s non è attivo in "
        "Partner Center."
    ),
    MpnReason.AGREEMENT_NOT_SIGNED: _(
        "Per l'MPN ID %(mpn_id)s non risulta firmato il Microsoft Partner Agreement (MPA): "
        "firmalo nel Centro per i partner Microsoft e riprova."
    ),
    MpnReason.REGION_MISMATCH: _(
        "L'MPN ID %(mpn_id)s è registrato per un'area geografica diversa dall'Italia: "
        "indica l'MPN ID della tua sede italiana."
    ),
    MpnReason.REJECTED: _("Partner Center ha rifiutato l'MPN ID %(mpn_id)s (codice %(code)s)."),
}
# Partner Center's refusals of the agreement status call.
AGREEMENT_ERROR_REASONS = {
    "2200": MpnReason.INVALID,
    "2201": MpnReason.REGION_MISMATCH,
    "2203": MpnReason.AGREEMENT_NOT_SIGNED,
    "2204": MpnReason.NOT_OUR_RESELLER,
    "3000": MpnReason.NOT_FOUND,
}


@dataclass(frozen=True)
class MpnValidation:
    """The outcome of a validation: ``code`` is an MpnReason, ``valid`` or why not."""

    mpn_id: str
    code: MpnReason
    reseller_tenant_id: str  # the reseller's Partner Center tenant id; "" unless valid
    checked_at: datetime
    partner_center_code: str = ""
    profile_mpn_id: str = ""  # the reseller's registered one, for "mpn_not_registered"

    @property
    def is_valid(self) -> bool:
        return self.code == MpnReason.VALID

    @property
    def message(self) -> str:
        """Why it is not valid, in the active language; "" when valid."""
        if self.is_valid:
            return ""
        return REASON_MESSAGES[self.code] % {
            "mpn_id": self.mpn_id,
            "code": self.partner_center_code,
            "profile_mpn_id": self.profile_mpn_id,
            "support_email": settings.SUPPORT_EMAIL,
        }


def mpn_cache_key(*, reseller_id: int, mpn_id: str) -> str:
    return f"tenants:mpn-validation:{reseller_id}:{mpn_id}"


def reseller_validate_mpn(
    *,
    reseller: Reseller,
    mpn_id: str,
    use_cache: bool = True,
    record: bool = True,
    interactive: bool = False,
) -> MpnValidation:
    """Validate ``mpn_id``, which must be the reseller's profile MPN ID, for ``reseller``;
    PartnerCenterUnavailableError if it cannot be told.

    Another MPN ID ("mpn_not_registered") or none on the profile ("mpn_missing") is refused
    without calling Partner Center and without touching the profile. With ``record``, the outcome
    is stored on the reseller: status, reason, time and, when valid, its Partner Center tenant id
    (unless another reseller already has that one). ``record=False`` is the dry run of
    ``revalidate_mpn``; ``interactive`` uses the short timeouts of a page waiting for the answer.
    """
    mpn_id = (mpn_id or "").strip()
    refusal = _not_the_profile_mpn_id(reseller, mpn_id)
    if refusal is not None:
        return refusal
    if not MPN_ID_PATTERN.fullmatch(mpn_id):
        # Never sent to Partner Center. A profile saved before the admin refused digits other
        # than 0–9 may hold some: they are named as such.
        reason = MpnReason.OTHER_DIGITS if has_other_digits(mpn_id) else MpnReason.FORMAT
        return MpnValidation(
            mpn_id=mpn_id, code=reason, reseller_tenant_id="", checked_at=timezone.now()
        )
    key = mpn_cache_key(reseller_id=reseller.pk, mpn_id=mpn_id)
    if use_cache:
        cached = cache.get(key)
        if cached is not None:
            return MpnValidation(**cached)

    validation = _validate_with_partner_center(mpn_id, interactive=interactive)
    if record:
        _record_on_reseller(reseller, validation)
    if validation.is_valid:
        cache.set(key, asdict(validation), settings.MPN_VALIDATION_CACHE_SECONDS)
    else:
        cache.delete(key)
    return validation


def reseller_recheck_mpn_before_order(*, reseller: Reseller, mpn_id: str) -> MpnValidation | None:
    """The MPN ID looked at again just before an order is placed, without Partner Center: the
    refusal, or None when nothing recorded since the «Partner» step says otherwise.

    The step's answer is cached for minutes. Whatever learnt since that the MPN ID is no longer
    valid (the nightly check, staff, the worker of another order) is on the profile, so the
    reseller is told at once. The confirm request itself never calls Partner Center, so that it
    answers at once; the worker validates the MPN ID again, past the cache, before its first
    write, so one deactivated only in Partner Center fails the order before anything is ordered.
    """
    reseller.refresh_from_db(fields=["mpn_id", "mpn_status"])
    refusal = _not_the_profile_mpn_id(reseller, mpn_id)
    if refusal is not None:
        return refusal
    if reseller.mpn_status != Reseller.MpnStatus.INVALID:
        return None
    cache.delete(mpn_cache_key(reseller_id=reseller.pk, mpn_id=mpn_id))
    return MpnValidation(
        mpn_id=mpn_id, code=MpnReason.INVALID, reseller_tenant_id="", checked_at=timezone.now()
    )


def _not_the_profile_mpn_id(reseller: Reseller, mpn_id: str) -> MpnValidation | None:
    if reseller.mpn_id and mpn_id == reseller.mpn_id:
        return None
    return MpnValidation(
        mpn_id=mpn_id,
        code=MpnReason.NOT_REGISTERED if reseller.mpn_id else MpnReason.MISSING,
        reseller_tenant_id="",
        checked_at=timezone.now(),
        profile_mpn_id=reseller.mpn_id,
    )


def _validate_with_partner_center(mpn_id: str, *, interactive: bool) -> MpnValidation:
    def outcome(code: MpnReason, *, reseller_tenant_id: str = "", partner_center_code: str = ""):
        return MpnValidation(
            mpn_id=mpn_id,
            code=code,
            reseller_tenant_id=reseller_tenant_id,
            checked_at=timezone.now(),
            partner_center_code=partner_center_code,
        )

    try:
        with partner_center_client(
            interactive=interactive, **partner_center_timeouts(interactive=interactive)
        ) as client:
            try:
                agreement = client.get_agreement_status(mpn_id)
            except (PartnerCenterBusinessError, PartnerCenterNotFound) as exc:
                otherwise = (
                    MpnReason.NOT_FOUND
                    if isinstance(exc, PartnerCenterNotFound)
                    else MpnReason.REJECTED
                )
                reason = AGREEMENT_ERROR_REASONS.get(exc.code, otherwise)
                return outcome(reason, partner_center_code=exc.code)
            resellers = client.list_indirect_resellers()
    except PartnerCenterBudgetExhausted as exc:
        raise PartnerCenterBusyError(retry_after=exc.retry_after) from exc
    except PartnerCenterError as exc:
        logger.warning(
            "MPN ID validation of %s failed: %s (%s, MS-RequestId %s)",
            mpn_id,
            exc.message,
            type(exc).__name__,
            exc.ms_request_id,
        )
        raise PartnerCenterUnavailableError() from exc

    reseller = next((item for item in resellers if item.mpn_id == mpn_id), None)
    if reseller is None:
        return outcome(MpnReason.NOT_OUR_RESELLER)
    if not reseller.is_active:
        return outcome(MpnReason.RESELLER_INACTIVE)
    if not agreement.is_agreement_signed:
        return outcome(MpnReason.AGREEMENT_NOT_SIGNED)
    try:
        tenant_id = str(uuid.UUID(reseller.tenant_id))
    except ValueError as exc:
        logger.warning(
            "Reseller %s has a tenant id that is not a GUID: %r", mpn_id, reseller.tenant_id
        )
        raise PartnerCenterUnavailableError() from exc
    return outcome(MpnReason.VALID, reseller_tenant_id=tenant_id)


def _record_on_reseller(reseller: Reseller, validation: MpnValidation) -> None:
    """Store the outcome of the profile's MPN ID on the profile; never the MPN ID itself.

    The tenant id is stored only if no other reseller has it: the invitation link and the
    relationship checks name the reseller by it (the unique constraint backs this up).
    """
    if validation.mpn_id != reseller.mpn_id:  # reseller_validate_mpn refuses these earlier
        return
    with translation.override(settings.LANGUAGE_CODE):
        reason = validation.message[:255]
    changes: dict[str, Any] = {
        "mpn_status": Reseller.MpnStatus.VALID
        if validation.is_valid
        else Reseller.MpnStatus.INVALID,
        "mpn_status_reason": reason,
        "mpn_checked_at": validation.checked_at,
    }
    if validation.is_valid:
        tenant_id = uuid.UUID(validation.reseller_tenant_id)
        if tenant_id != reseller.partner_center_tenant_id:
            # A new one (staff changed the MPN ID): replaced, or cleared if another has it.
            changes["partner_center_tenant_id"] = (
                None if _is_another_resellers_tenant_id(reseller, tenant_id) else tenant_id
            )
    try:
        with transaction.atomic():
            Reseller.objects.filter(pk=reseller.pk).update(**changes)
    except IntegrityError:  # the same tenant id was stored for another reseller meanwhile
        _log_tenant_id_not_stored(reseller, changes["partner_center_tenant_id"])
        changes["partner_center_tenant_id"] = None
        Reseller.objects.filter(pk=reseller.pk).update(**changes)
    for field_name, value in changes.items():
        setattr(reseller, field_name, value)


def _is_another_resellers_tenant_id(reseller: Reseller, tenant_id: uuid.UUID) -> bool:
    holders = Reseller.objects.filter(partner_center_tenant_id=tenant_id).exclude(pk=reseller.pk)
    if holders.exists():
        _log_tenant_id_not_stored(reseller, tenant_id)
        return True
    return False


def _log_tenant_id_not_stored(reseller: Reseller, tenant_id: uuid.UUID) -> None:
    logger.warning(
        "MPN ID %s of reseller %s is valid, but its Partner Center tenant id %s is another "
        "reseller's: not stored",
        reseller.mpn_id,
        reseller.pk,
        tenant_id,
    )


@dataclass(frozen=True)
class ResellerRevalidation:
    """The nightly re-check of one reseller."""

    reseller: Reseller
    outcome: MpnRecheckOutcome
    detail: str


def resellers_revalidate_mpn(
    *, resellers: Iterable[Reseller], record: bool = True
) -> list[ResellerRevalidation]:
    """Validate again, bypassing the cache, each reseller's profile MPN ID
    (docs/product.md#mpn-id-validation)."""
    results = []
    for reseller in resellers:
        if not reseller.mpn_id:
            results.append(ResellerRevalidation(reseller, MpnRecheckOutcome.NO_MPN, ""))
            continue
        try:
            validation = reseller_validate_mpn(
                reseller=reseller, mpn_id=reseller.mpn_id, use_cache=False, record=record
            )
        except PartnerCenterUnavailableError as error:
            results.append(
                ResellerRevalidation(reseller, MpnRecheckOutcome.UNAVAILABLE, str(error.message))
            )
            continue
        outcome = MpnRecheckOutcome.VALID if validation.is_valid else MpnRecheckOutcome.INVALID
        detail = "" if validation.is_valid else f"({validation.code}) {validation.message}"
        results.append(ResellerRevalidation(reseller, outcome, detail))
    return results
