"""Validators for Italian company data and Microsoft identifiers, shared by every form and model."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MPN_ID_PATTERN = re.compile(r"^\d{6,10}$")


def partita_iva_check_digit(first_ten_digits: str) -> int:
    """The check digit of an Italian VAT number (Partita IVA) from its first ten digits."""
    total = 0
    for position, char in enumerate(first_ten_digits):
        digit = int(char)
        if position % 2 == 1:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return (10 - total % 10) % 10


def validate_partita_iva(value: str) -> None:
    if not re.fullmatch(r"\d{11}", value or ""):
        raise ValidationError(
            _("La Partita IVA deve essere composta da 11 cifre."), code="partita_iva_format"
        )
    if partita_iva_check_digit(value[:10]) != int(value[10]):
        raise ValidationError(
            _("La Partita IVA non è valida: la cifra di controllo non corrisponde."),
            code="partita_iva_check_digit",
        )


def validate_mpn_id(value: str) -> None:
    if not MPN_ID_PATTERN.fullmatch(value or ""):
        raise ValidationError(
            _("L'MPN ID è composto solo da cifre, da 6 a 10."), code="mpn_id_format"
        )
