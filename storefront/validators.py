"""Validators for Italian company data and Microsoft identifiers, shared by every form and model.

The Partita IVA and the codice fiscale are checked by python-stdnum (``stdnum.it.iva``,
``stdnum.it.codicefiscale``). Every "digits" field accepts only the ASCII digits 0–9: Python's
``\\d`` and ``str.isdigit`` also take Arabic-Indic (٠١٢) and full-width (０１２) digits, which
Partner Center refuses, and python-stdnum silently turns full-width digits into ASCII ones. Such
digits are refused here, with a message that says which digits to use, never converted.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.it import codicefiscale, iva

ASCII_DIGITS = "0123456789"
MPN_ID_PATTERN = re.compile(r"[0-9]{6,10}")
PARTITA_IVA_PATTERN = re.compile(r"[0-9]{11}")
POSTAL_CODE_PATTERN = re.compile(r"[0-9]{5}")
PERSON_FISCAL_CODE_PATTERN = re.compile(r"[A-Z0-9]{16}")

OTHER_DIGITS_MESSAGE = _(
    "Scrivi le cifre da 0 a 9: il valore contiene cifre di un altro sistema di scrittura "
    "(per esempio arabe o a larghezza intera)."
)


def has_other_digits(value: str) -> bool:
    """Whether ``value`` holds a digit that is not one of the ASCII digits 0–9."""
    return any(char.isdigit() and char not in ASCII_DIGITS for char in value or "")


def validate_ascii_digits(value: str) -> None:
    if has_other_digits(value):
        raise ValidationError(OTHER_DIGITS_MESSAGE, code="other_digits")


def validate_partita_iva(value: str) -> None:
    validate_ascii_digits(value)
    if not PARTITA_IVA_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            _("La Partita IVA deve essere composta da 11 cifre."), code="partita_iva_format"
        )
    try:
        iva.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("La Partita IVA non è valida: la cifra di controllo non corrisponde."),
            code="partita_iva_check_digit",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        # All zeros, or digits 8–10 that name no provincial office: no such number is issued.
        raise ValidationError(
            _(
                "La Partita IVA non è valida: non corrisponde a nessun numero assegnabile "
                "(controlla di averla copiata per intero)."
            ),
            code="partita_iva_invalid",
        ) from exc


def validate_codice_fiscale(value: str) -> None:
    """A person's codice fiscale (16 characters) or a company's (11 digits, a P.IVA-like number).

    Letters may stand for digits in a person's code (omocodia): python-stdnum knows them.
    """
    validate_ascii_digits(value)
    if PARTITA_IVA_PATTERN.fullmatch(value or ""):
        _validate_company_codice_fiscale(value)
        return
    if not PERSON_FISCAL_CODE_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            _("Il codice fiscale ha 16 caratteri (lettere e cifre) o, per un'azienda, 11 cifre."),
            code="fiscal_code_format",
        )
    try:
        codicefiscale.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("Il codice fiscale non è valido: il carattere di controllo non corrisponde."),
            code="fiscal_code_check_digit",
        ) from exc
    except stdnum_errors.InvalidComponent as exc:
        raise ValidationError(
            _("Il codice fiscale non è valido: la data di nascita che contiene non esiste."),
            code="fiscal_code_birth_date",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _(
                "Il codice fiscale non è valido: lettere e cifre non sono al loro posto "
                "(per esempio RSSMRA85T10A562S)."
            ),
            code="fiscal_code_pattern",
        ) from exc


def _validate_company_codice_fiscale(value: str) -> None:
    try:
        codicefiscale.validate(value)
    except stdnum_errors.InvalidChecksum as exc:
        raise ValidationError(
            _("Il codice fiscale di 11 cifre non è valido: la cifra di controllo non corrisponde."),
            code="fiscal_code_check_digit",
        ) from exc
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _(
                "Il codice fiscale di 11 cifre non è valido: non corrisponde a nessun numero "
                "assegnabile."
            ),
            code="fiscal_code_invalid",
        ) from exc


def validate_postal_code(value: str) -> None:
    validate_ascii_digits(value)
    if not POSTAL_CODE_PATTERN.fullmatch(value or ""):
        raise ValidationError(_("Il CAP è composto da 5 cifre."), code="postal_code_format")


def validate_mpn_id(value: str) -> None:
    validate_ascii_digits(value)
    if not MPN_ID_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            _("L'MPN ID è composto solo da cifre, da 6 a 10."), code="mpn_id_format"
        )
