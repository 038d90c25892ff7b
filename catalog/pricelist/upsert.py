"""Bulk "insert or update" of many rows, as fast as the database allows.

On PostgreSQL each chunk is one ``INSERT … SELECT FROM UNNEST(arrays) ON CONFLICT … DO UPDATE``:
the rows travel as one array per column and no model instance is built, which measured about four
times faster than ``bulk_create`` on a 200 000-row price list (bench/). Other databases (SQLite in
development) use ``bulk_create(update_conflicts=True)``, which has the same effect.
"""

from collections.abc import Sequence

from django.db import connection, models

CHUNK_SIZE = 5000


def upsert_rows(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    rows: Sequence[tuple],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    returning: Sequence[str] = (),
) -> list[tuple]:
    """Insert ``rows`` (values in the order of ``fields``, by attname) or update the row with the
    same ``unique_fields``; returns the ``returning`` values of every row written."""
    written: list[tuple] = []
    for offset in range(0, len(rows), CHUNK_SIZE):
        chunk = rows[offset : offset + CHUNK_SIZE]
        if connection.vendor == "postgresql":
            written += _upsert_unnest(model, fields, chunk, unique_fields, update_fields, returning)
        else:
            written += _upsert_bulk_create(
                model, fields, chunk, unique_fields, update_fields, returning
            )
    return written


def _upsert_unnest(model, fields, rows, unique_fields, update_fields, returning) -> list[tuple]:
    opts = model._meta
    quote = connection.ops.quote_name
    columns = [opts.get_field(name) for name in fields]
    column_names = ", ".join(quote(field.column) for field in columns)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    conflict = ", ".join(quote(opts.get_field(name).column) for name in unique_fields)
    updates = ", ".join(
        f"{quote(opts.get_field(name).column)} = EXCLUDED.{quote(opts.get_field(name).column)}"
        for name in update_fields
    )
    # Only the model's table and column names are formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {quote(opts.db_table)} ({column_names}) SELECT * FROM UNNEST({arrays}) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    )
    if returning:
        sql += " RETURNING " + ", ".join(quote(opts.get_field(name).column) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(values) for values in zip(*rows, strict=True)])
        return cursor.fetchall() if returning else []


def _upsert_bulk_create(model, fields, rows, unique_fields, update_fields, returning):
    instances = [model(**dict(zip(fields, row, strict=True))) for row in rows]
    model.objects.bulk_create(
        instances,
        update_conflicts=True,
        unique_fields=list(unique_fields),
        update_fields=list(update_fields),
    )
    return [tuple(getattr(instance, name) for name in returning) for instance in instances]
