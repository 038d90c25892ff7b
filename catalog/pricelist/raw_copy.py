"""The fast way into the staging table: COPY the file as it is, then keep and convert in SQL.

The file goes to PostgreSQL untouched (one text column per header column), which costs about
what a plain COPY costs. The decisions that need Python's exact rules are taken on the few
distinct values that decide them, not on every row:

- what to keep: the distinct combinations of market, currency, segment, tags, unit, term,
  billing plan and tier go through reading.py's own ``skip_reason``;
- dates: the distinct start/end texts go through parsing.py's ``DateParser``.

SQL then checks texts and amounts with the rules of reading.py and writes the kept rows into
``pricelist_staging``, the table set_based.py works from. Whenever anything looks wrong (a COPY
error, a bad date, amount or text, an unreadable byte), ``RowByRowNeeded`` sends the caller back
to reading the file row by row in Python, which finds the first bad line and says what is wrong
with it. So a bad file costs two passes, a good one a single COPY.
"""

import csv
from datetime import date
from typing import TextIO

from catalog.pricelist.parsing import (
    ColumnIndex,
    DateParser,
    PricelistError,
    SkipReason,
)
from catalog.pricelist.reading import MAX_LENGTHS, ImportReport, skip_reason

COPY_CHUNK_CHARS = 1 << 20
# What Python's str.strip() removes from the ASCII range.
WHITESPACE = " \t\n\r\x0b\x0c"
# The columns that decide whether a row is kept (reading.skip_reason and the market filter).
DECIDING = (
    "Market",
    "Currency",
    "Segment",
    "Tags",
    "UnitOfMeasure",
    "TermDuration",
    "BillingPlan",
    "PricingTierRangeMin",
)
# The staged text columns checked against reading.MAX_LENGTHS.
TEXT_COLUMNS = {
    "ProductId": "product_id",
    "SkuId": "sku_id",
    "ProductTitle": "product_title",
    "SkuTitle": "sku_title",
}
RAW_TABLES = ("pricelist_raw", "pricelist_dates")


class RowByRowNeeded(Exception):
    """The file needs the row-by-row reading, which explains its first problem precisely."""


def stage_file(cursor, stream: TextIO, *, market: str, currency: str, report: ImportReport) -> int:
    """Fill ``pricelist_staging`` from ``stream``; returns the number of rows staged."""
    try:
        header_line = stream.readline()
    except UnicodeDecodeError as error:
        raise RowByRowNeeded from error
    if not header_line.strip():
        raise RowByRowNeeded
    columns = ColumnIndex.from_header(next(csv.reader([header_line])))
    raw = {name: f"c{position}" for name, position in columns.positions.items()}
    all_columns = [f"c{position}" for position in range(columns.width)]
    cursor.execute(
        "CREATE UNLOGGED TABLE pricelist_raw (line bigint GENERATED ALWAYS AS IDENTITY, "
        + ", ".join(f"{column} text" for column in all_columns)
        + ")"
    )
    column_list = ", ".join(all_columns)
    copy_sql = (
        f"COPY pricelist_raw ({column_list}) FROM STDIN "
        f"(FORMAT csv, FORCE_NOT_NULL ({column_list}))"
    )
    try:
        with cursor.copy(copy_sql) as copy:
            while chunk := stream.read(COPY_CHUNK_CHARS):
                copy.write(chunk)
    except UnicodeDecodeError as error:
        raise RowByRowNeeded from error
    kinds, dates = _classify(cursor, columns, raw, market=market, currency=currency, report=report)
    return _keep(cursor, raw, kinds=kinds, dates=dates)


def _deciding(raw: dict[str, str]) -> list[str]:
    """The deciding columns present in the file, as raw column names."""
    return [raw[name] for name in DECIDING if name in raw]


def _classify(cursor, columns: ColumnIndex, raw, *, market, currency, report):
    """Skip reasons for each distinct combination of the deciding columns and dates, with
    Python's own rules; returns the kept combinations and their parsed dates."""
    deciding = _deciding(raw)
    start, end = raw["EffectiveStartDate"], raw["EffectiveEndDate"]
    group = ", ".join(str(number) for number in range(1, len(deciding) + 3))
    cursor.execute(
        f"SELECT {', '.join(deciding)}, {start}, {end}, count(*) "  # noqa: S608
        f"FROM pricelist_raw GROUP BY {group}"
    )
    wanted = (market.strip().upper(), currency.strip().upper())
    position = {name: number for number, name in enumerate(n for n in DECIDING if n in raw)}
    parser = DateParser()
    kinds: set[tuple[str, ...]] = set()
    dates: dict[tuple[str, str], tuple[date, date | None]] = {}
    for *values, start_text, end_text, count in cursor.fetchall():
        report.rows_read += count
        if (values[0].strip().upper(), values[1].strip().upper()) != wanted:
            report.skipped[SkipReason.OTHER_MARKET] += count
            continue
        try:
            reason = skip_reason(values, position, 0)
            if reason is None:
                first_day = parser.start(start_text, line=0)
                last_day = parser.end(end_text, line=0)
        except PricelistError as error:
            raise RowByRowNeeded from error  # the row-by-row reading says where and why
        if reason is not None:
            report.skipped[reason] += count
            continue
        if last_day is not None and last_day < first_day:
            raise RowByRowNeeded
        kinds.add(tuple(values))
        dates[(start_text, end_text)] = (first_day, last_day)
    if SkipReason.OTHER_MARKET not in report.skipped:
        report.skipped[SkipReason.OTHER_MARKET] = 0  # as the row-by-row reading counts it
    return kinds, dates


def _amount_is_valid(text: str) -> str:
    """What parse_amount's pattern adds to the numeric cast, on trimmed text: only digits and a
    dot, at most 10 digits before it and 4 after it (no sign, exponent, NaN or Infinity). Text
    the cast refuses (empty, two dots) makes the statement fail: the file then goes row by row."""
    return (
        f"(translate({text}, '0123456789.', '') = '' AND {text} NOT LIKE '.%%' "
        f"AND {text} NOT LIKE '%%.' AND length(split_part({text}, '.', 1)) <= 10 "
        f"AND length(split_part({text}, '.', 2)) <= 4)"
    )


def _keep(cursor, raw: dict[str, str], *, kinds, dates) -> int:
    """Write the kept rows into pricelist_staging; RowByRowNeeded if any of them is invalid.

    The kept combinations are a short list compared column by column, market first, so most
    rows of other markets are dropped after a single comparison.
    """
    cursor.execute(
        "CREATE UNLOGGED TABLE pricelist_dates "
        "(start_text text, end_text text, effective_start date, effective_end date)"
    )
    cursor.executemany(
        "INSERT INTO pricelist_dates VALUES (%s, %s, %s, %s)",
        [(*texts, *days) for texts, days in dates.items()],
    )
    params: dict[str, str] = {"whitespace": WHITESPACE}
    kept_kinds = []
    for kind_number, kind in enumerate(sorted(kinds)):
        names = []
        for column_number, value in enumerate(kind):
            name = f"k{kind_number}_{column_number}"
            params[name] = value
            names.append(f"%({name})s")
        kept_kinds.append(f"({', '.join(names)})")
    kept = f"({', '.join(_deciding(raw))}) IN ({', '.join(kept_kinds)})" if kept_kinds else "false"

    def trimmed(name: str) -> str:
        return f"btrim({raw[name]}, %(whitespace)s)"

    valid = [
        _amount_is_valid("cost_text"),
        _amount_is_valid("erp_text"),
        *(
            f"char_length({column}) BETWEEN 1 AND {MAX_LENGTHS[name]}"
            for name, column in TEXT_COLUMNS.items()
        ),
    ]
    # Parallel workers would only scan; every kept row would then cross the Gather queue to be
    # converted by the leader, which measured slower than one process doing both.
    cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
    cursor.execute(
        f"""
        CREATE UNLOGGED TABLE pricelist_staging AS
        SELECT *, cost_text::numeric AS cost_price, erp_text::numeric AS erp_price,
            ({" AND ".join(valid)}) AS is_valid
        FROM (
            SELECT raw.line, {trimmed("ProductId")} AS product_id,
                {trimmed("ProductTitle")} AS product_title, {trimmed("SkuId")} AS sku_id,
                {trimmed("SkuTitle")} AS sku_title,
                {trimmed("SkuDescription")} AS sku_description,
                upper({trimmed("TermDuration")}) AS term,
                lower({trimmed("BillingPlan")}) AS billing,
                dates.effective_start, dates.effective_end,
                {trimmed("UnitPrice")} AS cost_text, {trimmed("ERP Price")} AS erp_text
            FROM pricelist_raw raw
            JOIN pricelist_dates dates ON dates.start_text = {raw["EffectiveStartDate"]}
                AND dates.end_text = {raw["EffectiveEndDate"]}
            WHERE {kept}
        ) kept
        """,  # noqa: S608 (column names come from ColumnIndex, values are parameters)
        params,
    )
    staged = cursor.rowcount
    cursor.execute("RESET max_parallel_workers_per_gather")
    cursor.execute("SELECT EXISTS (SELECT FROM pricelist_staging WHERE NOT is_valid)")
    if cursor.fetchone()[0]:
        raise RowByRowNeeded
    cursor.execute("DROP TABLE " + ", ".join(RAW_TABLES))
    return staged
