"""Pure normalisation of what resellers type: domain prefixes and Italian company names."""

import re
import unicodedata

from django.utils.translation import gettext as _

from tenants.errors import DomainPrefixInvalidError

ONMICROSOFT_SUFFIX = ".onmicrosoft.com"
DOMAIN_PREFIX_MAX_LENGTH = 27
DOMAIN_PREFIX_PATTERN = re.compile(r"[a-z0-9]+")

# Long Italian legal forms and their abbreviation, longest first so that "srls" wins over "srl".
# Abbreviations need no entry: dots and spaces are dropped, so "S.p.A.", "S.P.A." and "SPA" agree.
LEGAL_FORM_WORDS = [
    ("societa a responsabilita limitata semplificata", "srls"),
    ("societa a responsabilita limitata", "srl"),
    ("societa per azioni", "spa"),
    ("societa in accomandita per azioni", "sapa"),
    ("societa in accomandita semplice", "sas"),
    ("societa in nome collettivo", "snc"),
]


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
    if not DOMAIN_PREFIX_PATTERN.fullmatch(prefix):
        raise DomainPrefixInvalidError(
            _(
                "Il Domain Prefix può contenere solo lettere e cifre, senza spazi, trattini, "
                "punti o lettere accentate."
            )
        )
    return prefix


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_company_name(name: str) -> str:
    """A comparison key for a company name: case, accents, spaces, punctuation and the way the
    legal form is written (S.p.A./SPA/Società per azioni, S.r.l./SRL, ...) do not count."""
    text = _without_accents(name or "").casefold().replace("&", " e ")
    words = " ".join(re.findall(r"[a-z0-9]+", text))
    for long_form, abbreviation in LEGAL_FORM_WORDS:
        words = re.sub(rf"\b{long_form}\b", abbreviation, words)
    return words.replace(" ", "")


def company_names_match(typed_name: str, partner_center_name: str) -> bool:
    """Whether «Nome azienda» is the legal name Partner Center shows for the tenant."""
    return normalise_company_name(typed_name) == normalise_company_name(partner_center_name)
