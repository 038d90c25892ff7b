"""Import of Microsoft's NCE licence-based price list: one streaming pass, atomic.

The file is read row by row with the csv module and never held whole (reading.py). The kept rows
are written in one of two ways with the same outcome:

- on PostgreSQL, set-based (set_based.py): the file is streamed with COPY into an unlogged
  staging table, then a handful of statements upsert products, SKUs, plans and prices, compare
  them with what is stored and retire what left the file, all inside the database; memory does not
  grow with the stored catalog;
- elsewhere (SQLite for ``make run``), in Python (in_memory.py): stored rows are loaded into
  dictionaries, compared, and only new or changed ones are written.

Re-importing the same file writes nothing. Rows that disappear from the file are retired, never
deleted from history:

- a plan absent from the file is deactivated (``is_active=False``): it is no longer sold, its
  prices stay for the record, and it comes back to life if a later file lists it again;
- for a plan still in the file, let S be its earliest start date in the file: an absent price that
  started before S and ran past it is end-dated to the day before S (superseded); an absent price
  starting on or after S is deleted (a price change Microsoft withdrew). Orders are not affected:
  they snapshot their prices.

When a product or SKU appears on several rows, its first row gives its title and description.
Products and SKUs are never retired: without a plan on sale they simply leave the catalog. SKU
details that come from Partner Center (quantities, add-ons, prerequisites) and the families and
descriptions set by staff are never touched by the import.

Everything happens in one transaction: a malformed row raises ``PricelistError`` with its line
number and nothing is changed. ``dry_run`` does the same work and rolls it back.
"""

from pathlib import Path
from typing import TextIO

from django.db import connection, transaction
from django.utils.translation import gettext as _

from catalog.pricelist.in_memory import import_in_memory
from catalog.pricelist.parsing import PricelistError, SkipReason
from catalog.pricelist.reading import EntityCounts, ImportReport, kept_rows
from catalog.pricelist.set_based import import_set_based

__all__ = ["EntityCounts", "ImportReport", "pricelist_import", "pricelist_import_stream"]

# Databases whose import runs set-based; tests empty it to exercise the portable way too.
SET_BASED_VENDORS = {"postgresql"}


def pricelist_import(
    *, path: str | Path, market: str = "IT", currency: str = "EUR", dry_run: bool = False
) -> ImportReport:
    """Import the price list at ``path`` (UTF-8, with or without BOM) for one market/currency."""
    with open(path, encoding="utf-8-sig", newline="") as stream:
        return pricelist_import_stream(
            stream=stream, market=market, currency=currency, dry_run=dry_run
        )


def pricelist_import_stream(
    *, stream: TextIO, market: str = "IT", currency: str = "EUR", dry_run: bool = False
) -> ImportReport:
    report = ImportReport()
    with transaction.atomic():
        if connection.vendor in SET_BASED_VENDORS:
            import_set_based(stream, market=market, currency=currency, report=report)
        else:
            rows = kept_rows(stream, market=market, currency=currency, report=report)
            import_in_memory(rows, report=report)
        _refuse_if_no_row_of_the_market(report, market=market, currency=currency)
        if dry_run:
            transaction.set_rollback(True)
    report.dry_run = dry_run
    return report


def _refuse_if_no_row_of_the_market(report: ImportReport, *, market: str, currency: str) -> None:
    """A file without a single row of the chosen market and currency is the wrong file or the
    wrong choice: importing it would retire the whole catalog. Raised inside the transaction, so
    what the import wrote is rolled back."""
    if report.rows_read and report.rows_read == report.skipped[SkipReason.OTHER_MARKET]:
        raise PricelistError(
            _("il listino non ha nessuna riga per il mercato %(market)s in %(currency)s.")
            % {"market": market.strip().upper(), "currency": currency.strip().upper()}
        )
