"""The stable codes of MPN ID validation, shared by the service, the wizard, the worker and the
``revalidate_mpn`` command. What the reseller reads is ``resellers.services.REASON_MESSAGES``."""

from django.db import models


class MpnReason(models.TextChoices):
    """The outcome of validating an MPN ID: ``valid`` or why it is not."""

    VALID = "valid"
    # Refused before asking Partner Center: the MPN ID is not the profile's, or not 6–10 digits.
    NOT_REGISTERED = "mpn_not_registered"
    MISSING = "mpn_missing"
    FORMAT = "mpn_format"
    OTHER_DIGITS = "mpn_other_digits"
    # Partner Center's answers.
    INVALID = "mpn_invalid"
    NOT_FOUND = "mpn_not_found"
    NOT_OUR_RESELLER = "not_our_reseller"
    RESELLER_INACTIVE = "reseller_inactive"
    AGREEMENT_NOT_SIGNED = "agreement_not_signed"
    REGION_MISMATCH = "region_mismatch"
    REJECTED = "mpn_rejected"


class MpnRecheckOutcome(models.TextChoices):
    """One reseller's outcome in the nightly re-check."""

    VALID = "valid"
    INVALID = "invalid"
    UNAVAILABLE = "unavailable"  # Partner Center could not answer
    NO_MPN = "no_mpn"  # no MPN ID on the profile: nothing to check
