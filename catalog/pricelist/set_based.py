"""The PostgreSQL way to write a price list: COPY into a staging table, then set-based SQL.

The kept rows travel once, with COPY, into an unlogged staging table (no WAL; unlike a temporary
table it uses the shared buffers, so 200 000 rows do not spill to disk). The staging tables are
created and dropped inside the import's transaction, which holds an advisory lock: one import at
a time, and a failed one leaves nothing behind. Then one statement per entity compares the staged
rows with the stored ones and upserts only what is new or different (``INSERT … SELECT … ON
CONFLICT DO UPDATE``); plan deactivation and price retirement are two more statements. Python
holds one chunk of CSV text at a time, whatever the size of the file or of the stored catalog.
The rules are in importer.py.
"""

import csv
import io
from collections.abc import Iterable
from datetime import date
from typing import TextIO

import psycopg
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from catalog.models import DEFAULT_MAX_QUANTITY, DEFAULT_MIN_QUANTITY
from catalog.pricelist.parsing import SkipReason
from catalog.pricelist.raw_copy import RAW_TABLES, RowByRowNeeded, stage_file
from catalog.pricelist.reading import EntityCounts, ImportReport, KeptRow, kept_rows

# Characters of CSV text buffered before they are handed to COPY.
COPY_BUFFER_CHARS = 1 << 20

# Serialises price-list imports (pg_advisory_xact_lock key: "PRICELIST" in ASCII, truncated).
IMPORT_LOCK = 0x5052494345
STAGING_TABLES = ("pricelist_staging", "pricelist_plans", "pricelist_prices")

CREATE_STAGING = """
CREATE UNLOGGED TABLE pricelist_staging (
    line integer NOT NULL,
    product_id text NOT NULL,
    product_title text NOT NULL,
    sku_id text NOT NULL,
    sku_title text NOT NULL,
    sku_description text NOT NULL,
    term text NOT NULL,
    billing text NOT NULL,
    effective_start date NOT NULL,
    effective_end date,
    cost_price numeric NOT NULL,
    erp_price numeric NOT NULL
)
"""
COPY_STAGING = "COPY pricelist_staging FROM STDIN (FORMAT csv, FORCE_NOT_NULL (sku_description))"

# Counts what a data-modifying WITH wrote: (xmax = 0) is true for an inserted row.
COUNT_WRITTEN = (
    "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM written"
)

# The first row of a product gives its title; only new products and changed titles are written.
UPSERT_PRODUCTS = f"""
WITH file AS (
    SELECT DISTINCT ON (product_id) product_id, product_title
    FROM pricelist_staging ORDER BY product_id, line
), written AS (
    INSERT INTO catalog_product (product_id, title, family, description, created_at, updated_at)
    SELECT file.product_id, file.product_title, '', '', %(now)s, %(now)s
    FROM file LEFT JOIN catalog_product stored ON stored.product_id = file.product_id
    WHERE stored.id IS NULL OR stored.title <> file.product_title
    ON CONFLICT (product_id) DO UPDATE SET title = EXCLUDED.title, updated_at = EXCLUDED.updated_at
    RETURNING (xmax = 0) AS inserted
) {COUNT_WRITTEN}
"""  # noqa: S608 (no value is formatted in, only a constant)

# New SKUs get the NCE default limits; quantities, add-ons and provisioning id come from Partner
# Center later and are never overwritten here.
UPSERT_SKUS = f"""
WITH file AS (
    SELECT DISTINCT ON (product_id, sku_id) product_id, sku_id, sku_title, sku_description
    FROM pricelist_staging ORDER BY product_id, sku_id, line
), written AS (
    INSERT INTO catalog_sku (
        product_id, sku_id, title, description, min_quantity, max_quantity, is_addon,
        allows_quantity_above_base, provisioning_id
    )
    SELECT product.id, file.sku_id, file.sku_title, file.sku_description,
        {DEFAULT_MIN_QUANTITY}, {DEFAULT_MAX_QUANTITY}, false, false, ''
    FROM file
    JOIN catalog_product product ON product.product_id = file.product_id
    LEFT JOIN catalog_sku stored ON stored.product_id = product.id AND stored.sku_id = file.sku_id
    WHERE stored.id IS NULL
        OR (stored.title, stored.description) <> (file.sku_title, file.sku_description)
    ON CONFLICT (product_id, sku_id)
        DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description
    RETURNING (xmax = 0) AS inserted
) {COUNT_WRITTEN}
"""  # noqa: S608

# The plans of the file with their earliest start date; plan_id is filled once they exist.
CREATE_PLANS = """
CREATE UNLOGGED TABLE pricelist_plans AS
SELECT sku.id AS sku_id, staged.term, staged.billing,
    min(staged.effective_start) AS earliest_start, NULL::bigint AS plan_id
FROM pricelist_staging staged
JOIN catalog_product product ON product.product_id = staged.product_id
JOIN catalog_sku sku ON sku.product_id = product.id AND sku.sku_id = staged.sku_id
GROUP BY sku.id, staged.term, staged.billing
"""

UPSERT_PLANS = f"""
WITH written AS (
    INSERT INTO catalog_plan (sku_id, term, billing, is_active)
    SELECT file.sku_id, file.term, file.billing, true
    FROM pricelist_plans file
    LEFT JOIN catalog_plan stored ON stored.sku_id = file.sku_id AND stored.term = file.term
        AND stored.billing = file.billing
    WHERE stored.id IS NULL OR NOT stored.is_active
    ON CONFLICT (sku_id, term, billing) DO UPDATE SET is_active = true
    RETURNING (xmax = 0) AS inserted
) {COUNT_WRITTEN}
"""  # noqa: S608

FILL_PLAN_IDS = """
UPDATE pricelist_plans file SET plan_id = plan.id
FROM catalog_plan plan
WHERE plan.sku_id = file.sku_id AND plan.term = file.term AND plan.billing = file.billing
"""

DEACTIVATE_ABSENT_PLANS = """
UPDATE catalog_plan plan SET is_active = false
WHERE plan.is_active AND NOT EXISTS (SELECT FROM pricelist_plans file WHERE file.plan_id = plan.id)
"""

# One price per plan and start date: the first row wins, later ones are duplicates.
CREATE_PRICES = """
CREATE UNLOGGED TABLE pricelist_prices AS
SELECT DISTINCT ON (file.plan_id, staged.effective_start)
    file.plan_id, staged.effective_start, staged.effective_end, staged.cost_price,
    staged.erp_price
FROM pricelist_staging staged
JOIN catalog_product product ON product.product_id = staged.product_id
JOIN catalog_sku sku ON sku.product_id = product.id AND sku.sku_id = staged.sku_id
JOIN pricelist_plans file ON file.sku_id = sku.id AND file.term = staged.term
    AND file.billing = staged.billing
ORDER BY file.plan_id, staged.effective_start, staged.line
"""

UPSERT_PRICES = f"""
WITH written AS (
    INSERT INTO catalog_price (plan_id, effective_start, effective_end, cost_price, erp_price)
    SELECT file.plan_id, file.effective_start, file.effective_end, file.cost_price,
        file.erp_price
    FROM pricelist_prices file
    LEFT JOIN catalog_price stored ON stored.plan_id = file.plan_id
        AND stored.effective_start = file.effective_start
    WHERE stored.id IS NULL
        OR (stored.cost_price, stored.erp_price) <> (file.cost_price, file.erp_price)
        OR stored.effective_end IS DISTINCT FROM file.effective_end
    ON CONFLICT (plan_id, effective_start) DO UPDATE SET effective_end = EXCLUDED.effective_end,
        cost_price = EXCLUDED.cost_price, erp_price = EXCLUDED.erp_price
    RETURNING (xmax = 0) AS inserted
) {COUNT_WRITTEN}
"""  # noqa: S608

# Stored prices of plans still in the file that the file no longer lists: withdrawn when they
# start on or after the plan's earliest start in the file, superseded when they ran past it.
NOT_LISTED = """
    price.plan_id = file.plan_id
    AND NOT EXISTS (
        SELECT FROM pricelist_prices listed
        WHERE listed.plan_id = price.plan_id AND listed.effective_start = price.effective_start
    )
"""
DELETE_WITHDRAWN_PRICES = f"""
DELETE FROM catalog_price price USING pricelist_plans file
WHERE {NOT_LISTED} AND price.effective_start >= file.earliest_start
"""  # noqa: S608
END_SUPERSEDED_PRICES = f"""
UPDATE catalog_price price SET effective_end = file.earliest_start - 1
FROM pricelist_plans file
WHERE {NOT_LISTED} AND price.effective_start < file.earliest_start
    AND (price.effective_end IS NULL OR price.effective_end >= file.earliest_start)
"""  # noqa: S608


def import_set_based(stream: TextIO, *, market: str, currency: str, report: ImportReport) -> None:
    """Write the price list of ``stream`` into the catalog and retire what it no longer lists.

    Runs inside the caller's transaction. ``stream`` must be seekable: a file that the fast COPY
    refuses is read a second time, row by row, to find and explain its first bad line.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        _drop_staging(cursor)
        staged = _stage(cursor, stream, market=market, currency=currency, report=report)
        if staged:
            # A table filled in this transaction has no statistics for autovacuum to gather yet;
            # without them the planner takes 200 000 staged rows for a handful and loops.
            _analyze(cursor, "pricelist_staging")
        _count(cursor, UPSERT_PRODUCTS, {"now": timezone.now()}, into=report.products)
        _count(cursor, UPSERT_SKUS, None, into=report.skus)
        if report.products.added or report.skus.added:
            # Fresh rows the planner has no statistics for yet would make it loop over them.
            _analyze(cursor, "catalog_product", "catalog_sku")
        cursor.execute(CREATE_PLANS)
        _count(cursor, UPSERT_PLANS, None, into=report.plans)
        cursor.execute(FILL_PLAN_IDS)
        if report.plans.added:
            _analyze(cursor, "catalog_plan")
        _analyze(cursor, "pricelist_plans")
        cursor.execute(DEACTIVATE_ABSENT_PLANS)
        report.plans.retired = cursor.rowcount
        cursor.execute(CREATE_PRICES)
        report.rows_kept = cursor.rowcount
        if staged > report.rows_kept:
            report.skipped[SkipReason.DUPLICATE] += staged - report.rows_kept
        _analyze(cursor, "pricelist_prices")
        _count(cursor, UPSERT_PRICES, None, into=report.prices)
        cursor.execute(DELETE_WITHDRAWN_PRICES)
        withdrawn = cursor.rowcount
        cursor.execute(END_SUPERSEDED_PRICES)
        report.prices.retired = withdrawn + cursor.rowcount
        _drop_staging(cursor)


def _analyze(cursor, *tables: str) -> None:
    """Statistics for the planner from a small sample: row counts and rough spreads suffice."""
    cursor.execute("SET LOCAL default_statistics_target = 10")
    cursor.execute("ANALYZE " + ", ".join(tables))
    cursor.execute("RESET default_statistics_target")


def _drop_staging(cursor) -> None:
    cursor.execute("DROP TABLE IF EXISTS " + ", ".join(STAGING_TABLES + RAW_TABLES))


def _stage(cursor, stream: TextIO, *, market: str, currency: str, report: ImportReport) -> int:
    """Fill pricelist_staging: by a COPY of the whole file when it is clean, else row by row."""
    start = stream.tell()
    fast_report = ImportReport()
    try:
        with transaction.atomic():
            staged = stage_file(
                cursor, stream, market=market, currency=currency, report=fast_report
            )
    except (RowByRowNeeded, DatabaseError, psycopg.Error):  # COPY's errors are psycopg's own
        stream.seek(start)
        cursor.execute(CREATE_STAGING)
        return _copy_rows(
            cursor, kept_rows(stream, market=market, currency=currency, report=report)
        )
    report.rows_read = fast_report.rows_read
    report.skipped.update(fast_report.skipped)
    return staged


def _copy_rows(cursor, rows: Iterable[KeptRow]) -> int:
    """Stream ``rows`` into the staging table as CSV; returns how many were staged."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    days: dict[date | None, str] = {None: ""}  # a handful of distinct dates in a file
    staged = 0
    with cursor.copy(COPY_STAGING) as copy:
        for row in rows:
            start, end = row.effective_start, row.effective_end
            writer.writerow(
                (
                    *row[:8],
                    days.get(start) or days.setdefault(start, start.isoformat()),
                    days.get(end) if end in days else days.setdefault(end, end.isoformat()),
                    row.cost_price,
                    row.erp_price,
                )
            )
            staged += 1
            if buffer.tell() >= COPY_BUFFER_CHARS:
                copy.write(buffer.getvalue())
                buffer.seek(0)
                buffer.truncate()
        copy.write(buffer.getvalue())
    return staged


def _count(cursor, sql: str, params, *, into: EntityCounts) -> None:
    cursor.execute(sql, params)
    into.added, into.changed = cursor.fetchone()
