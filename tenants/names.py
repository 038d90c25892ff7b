"""Pure normalisation of what resellers type: domain prefixes and company names."""

import re
import unicodedata

from django.utils.translation import gettext as _

from storefront.validators import has_other_digits
from tenants.errors import DomainPrefixInvalidError

ONMICROSOFT_SUFFIX = ".onmicrosoft.com"
DOMAIN_PREFIX_MAX_LENGTH = 27
DOMAIN_PREFIX_PATTERN = re.compile(r"[a-z0-9]+")


def normalise_domain_prefix(value: str) -> str:
    """The prefix as Partner Center stores it: lower case, without the ``.onmicrosoft.com`` suffix.

    Raises DomainPrefixInvalidError with the rule that was broken.
    """
    prefix = (value or "").strip().lower()
    if prefix.endswith(ONMICROSOFT_SUFFIX):
        prefix = prefix[: -len(ONMICROSOFT_SUFFIX)]
    if not prefix:
        raise DomainPrefixInvalidError(_("Inserisci il Domain Prefix."))
    if len(prefix) > DOMAIN_PREFIX_MAX_LENGTH:
        raise DomainPrefixInvalidError(
            _("Il Domain Prefix ha al massimo %(max)d caratteri (ne hai inseriti %(count)d).")
            % {"max": DOMAIN_PREFIX_MAX_LENGTH, "count": len(prefix)}
        )
    if has_other_digits(prefix):
        raise DomainPrefixInvalidError(
            _(
                "Il Domain Prefix può contenere solo le cifre da 0 a 9: hai inserito cifre di un "
                "altro sistema di scrittura (per esempio arabe o a larghezza intera)."
            )
        )
    if not DOMAIN_PREFIX_PATTERN.fullmatch(prefix):
        raise DomainPrefixInvalidError(
            _(
                "Il Domain Prefix può contenere solo lettere e cifre, senza spazi, trattini, "
                "punti o lettere accentate."
            )
        )
    return prefix


def company_name_as_written(name: str) -> str:
    """A company name as a person reads it: spaces around and between words, and the Unicode
    form of accented letters, do not count; case, punctuation and the legal form do.

    The guide asks for «l'esatta ragione sociale» of an existing tenant: «Fabrikam Srl» is not
    «Fabrikam S.r.l.», so the comparison must not be forgiving."""
    return " ".join(unicodedata.normalize("NFC", name or "").split())


def company_names_match(typed_name: str, partner_center_name: str) -> bool:
    """Whether «Nome azienda» is exactly the legal name Partner Center shows for the tenant."""
    return company_name_as_written(typed_name) == company_name_as_written(partner_center_name)
