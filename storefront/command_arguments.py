"""Argument types of the management commands: a value out of range is refused by the parser with
a message that says what is expected, before the command does anything.

argparse turns the ArgumentTypeError into ``error: argument --port: <message>`` (a CommandError
under call_command). Countries and currencies are checked against CLDR, as Babel ships it.
"""

import math
from argparse import ArgumentTypeError

from babel import Locale
from babel.numbers import get_territory_currencies, list_currencies
from django.utils.translation import gettext as _

MAX_PORT = 65535
# Ten years: far beyond any useful threshold, far below what timedelta can hold.
MAX_MINUTES = 10 * 366 * 24 * 60
# CLDR regions that are groupings, not countries, though they have a currency.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "ZZ"})


def port_number(value: str) -> int:
    """A TCP port, 0 meaning any free port (the server says which)."""
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= MAX_PORT:
        raise ArgumentTypeError(
            _("«%(value)s» non è una porta: serve un numero da 0 a %(max)d (0: una porta libera).")
            % {"value": value, "max": MAX_PORT}
        )
    return port


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 country code (``it`` is IT)."""
    code = value.strip().upper()
    is_country = (
        len(code) == 2
        and code.isascii()
        and code.isalpha()
        and code not in NOT_COUNTRIES
        and code in Locale("en").territories
        and bool(get_territory_currencies(code))
    )
    if not is_country:
        raise ArgumentTypeError(
            _("«%(value)s» non è un paese: serve un codice ISO 3166 di due lettere, come IT.")
            % {"value": value}
        )
    return code


def currency_code(value: str) -> str:
    """An ISO 4217 currency code (``eur`` is EUR)."""
    code = value.strip().upper()
    if len(code) != 3 or not code.isalpha() or code not in list_currencies():
        raise ArgumentTypeError(
            _("«%(value)s» non è una valuta: serve un codice ISO 4217 di tre lettere, come EUR.")
            % {"value": value}
        )
    return code


def positive_seconds(value: str) -> float:
    """A finite number of seconds above zero (``nan`` and ``inf`` are not)."""
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not (math.isfinite(seconds) and seconds > 0):
        raise ArgumentTypeError(
            _("«%(value)s» non è un numero di secondi maggiore di zero.") % {"value": value}
        )
    return seconds


def whole_minutes(value: str) -> int:
    """A whole number of minutes, from 0 to ten years."""
    try:
        minutes = int(value)
    except ValueError:
        minutes = -1
    if not 0 <= minutes <= MAX_MINUTES:
        raise ArgumentTypeError(
            _("«%(value)s» non è un numero intero di minuti da 0 a %(max)d.")
            % {"value": value, "max": MAX_MINUTES}
        )
    return minutes
