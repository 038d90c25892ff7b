"""Reading Microsoft's NCE licence-based price list, one CSV row at a time.

What is kept and why (README-worthy, also printed by ``import_pricelist``):

- Columns are found by name (case and surrounding spaces ignored), so their order and extra columns
  do not matter; a missing required column rejects the file.
- Only rows of the chosen market and currency (``IT`` / ``EUR`` by default) are imported.
- Licence-based rows only: ``UnitOfMeasure`` must speak of licences ("1 License", "Licenses"); rows
  tagged ``Trial`` and other units (GB, minutes, …) are skipped.
- Terms ``P1M``, ``P1Y``, ``P3Y`` billed ``Monthly`` or ``Annual``. ``Triennial`` (pay the three
  years upfront) and ``OneTime`` are skipped: the storefront bills monthly or annually only.
- If a ``Segment`` column exists, only ``Commercial`` (or empty) rows are kept.
- Tiered prices: only the first tier (``PricingTierRangeMin`` empty, 0 or 1) is the licence price.
- Dates: ISO (``2026-11-01T00:00:00Z``, ``2026-11-01``) or US (``11/1/2026 12:00:00 AM``), taken
  as calendar dates. ``EffectiveEndDate`` names the end *instant*: a timestamp at midnight ends
  the day before, a bare date or any later time includes that day; year 9999 or empty means open.
- Amounts: plain decimals with a dot (``127.64``), at most four decimals, never negative.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from catalog.models import Plan

REQUIRED_COLUMNS = (
    "ProductTitle",
    "ProductId",
    "SkuId",
    "SkuTitle",
    "SkuDescription",
    "UnitOfMeasure",
    "TermDuration",
    "BillingPlan",
    "Market",
    "Currency",
    "UnitPrice",
    "PricingTierRangeMin",
    "EffectiveStartDate",
    "EffectiveEndDate",
    "Tags",
    "ERP Price",
)
OPTIONAL_COLUMNS = ("Segment",)

TERMS = {term.value: term.value for term in Plan.Term}
BILLING_PLANS = {"monthly": Plan.Billing.MONTHLY.value, "annual": Plan.Billing.ANNUAL.value}
FIRST_TIER_MINIMUMS = {"", "0", "1"}
OPEN_ENDED_YEAR = 9999

_AMOUNT = re.compile(r"\d{1,10}(\.\d{1,4})?")
_ISO_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]00:?00)?)?"
)
_US_DATE = re.compile(
    r"(\d{1,2})/(\d{1,2})/(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))? ?([AaPp][Mm]))?"
)


class PricelistError(Exception):
    """The file cannot be imported; ``line`` is the physical line in the file (1 = header)."""

    def __init__(self, message: str, *, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Riga %(line)d: %(message)s") % {"line": self.line, "message": self.message}


class SkipReason:
    """Why a row was left out; the values are the labels of the import summary."""

    OTHER_MARKET = "other_market"
    NOT_LICENCE = "not_licence"
    TRIAL = "trial"
    UNSOLD_TERM_OR_BILLING = "unsold_term_or_billing"
    OTHER_SEGMENT = "other_segment"
    HIGHER_TIER = "higher_tier"
    DUPLICATE = "duplicate"

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {
            cls.OTHER_MARKET: _("altro mercato o valuta"),
            cls.NOT_LICENCE: _("non a licenza"),
            cls.TRIAL: _("prova (Trial)"),
            cls.UNSOLD_TERM_OR_BILLING: _("durata o fatturazione non vendute (es. Triennial)"),
            cls.OTHER_SEGMENT: _("segmento non commerciale"),
            cls.HIGHER_TIER: _("fascia di prezzo oltre la prima"),
            cls.DUPLICATE: _("ripetute"),
        }


@dataclass(frozen=True)
class ColumnIndex:
    """Positions of the columns the importer reads, found by name in the header."""

    positions: dict[str, int]
    width: int

    @classmethod
    def from_header(cls, header: list[str]) -> "ColumnIndex":
        by_name = {}
        for position, name in enumerate(header):
            by_name.setdefault(name.strip().lower(), position)
        missing = [name for name in REQUIRED_COLUMNS if name.lower() not in by_name]
        if missing:
            raise PricelistError(
                _("mancano le colonne %(columns)s.") % {"columns": ", ".join(missing)}, line=1
            )
        positions = {
            name: by_name[name.lower()]
            for name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
            if name.lower() in by_name
        }
        return cls(positions=positions, width=len(header))


def parse_amount(text: str, *, column: str, line: int) -> Decimal:
    text = text.strip()
    if not _AMOUNT.fullmatch(text):
        raise PricelistError(
            _("%(column)s «%(value)s» non è un importo valido (per esempio 127.64).")
            % {"column": column, "value": text[:40]},
            line=line,
        )
    return Decimal(text)


class DateParser:
    """Parses the two date formats Microsoft uses; remembers each distinct text it has seen.

    A price list has a handful of distinct dates over hundreds of thousands of rows, so the cache
    turns date parsing into a dictionary lookup.
    """

    def __init__(self):
        self._starts: dict[str, date] = {}
        self._ends: dict[str, date | None] = {}

    def start(self, text: str, *, line: int) -> date:
        try:
            return self._starts[text]
        except KeyError:
            pass
        day, _is_midnight_instant = self._parse(text, column="EffectiveStartDate", line=line)
        self._starts[text] = day
        return day

    def end(self, text: str, *, line: int) -> date | None:
        """The last day the price is in force, or None when it is open-ended."""
        try:
            return self._ends[text]
        except KeyError:
            pass
        if not text.strip():
            last_day = None
        else:
            day, is_midnight_instant = self._parse(text, column="EffectiveEndDate", line=line)
            if day.year == OPEN_ENDED_YEAR:
                last_day = None
            else:
                last_day = day - timedelta(days=1) if is_midnight_instant else day
        self._ends[text] = last_day
        return last_day

    @staticmethod
    def _parse(text: str, *, column: str, line: int) -> tuple[date, bool]:
        stripped = text.strip()
        try:
            if match := _ISO_DATE.fullmatch(stripped):
                year, month, day, hour, minute, second = match.groups()
                parsed = date(int(year), int(month), int(day))
                has_time = hour is not None
                is_midnight = has_time and int(hour) == int(minute) == int(second or 0) == 0
                if has_time and not (int(hour) < 24 and int(minute) < 60 and int(second or 0) < 60):
                    raise ValueError(stripped)
                return parsed, is_midnight
            if match := _US_DATE.fullmatch(stripped):
                month, day, year, hour, minute, second, meridiem = match.groups()
                parsed = date(int(year), int(month), int(day))
                has_time = hour is not None
                if has_time and not (1 <= int(hour) <= 12 and int(minute) < 60):
                    raise ValueError(stripped)
                is_midnight = (
                    has_time
                    and int(hour) == 12
                    and int(minute) == int(second or 0) == 0
                    and meridiem.upper() == "AM"
                )
                return parsed, is_midnight
        except ValueError:
            pass
        raise PricelistError(
            _("%(column)s «%(value)s» non è una data valida (2026-11-01 oppure 11/1/2026).")
            % {"column": column, "value": stripped[:40]},
            line=line,
        )
