"""The set-based price-list import on PostgreSQL: the same statements whatever the size, COPY for a
clean file, no write for an unchanged one, no redundant index."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.pricelist import set_based
from catalog.pricelist.importer import pricelist_import, pricelist_import_stream
from catalog.pricelist.parsing import PricelistError
from catalog.pricelist.reading import kept_rows
from catalog.pricelist.synthetic import IT_ONLY, synthetic_rows
from catalog.pricelist.upsert import CHUNK_SIZE
from catalog.pricelist.writer import pricelist_write
from catalog.services import DEMO_PRICELIST
from catalog.tests.helpers import import_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("writer")]


# --- Set-based on PostgreSQL ----------------------------------------------------------------------

needs_set_based = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the set-based import needs PostgreSQL"
)


def synthetic_file(rows: int) -> io.StringIO:
    stream = io.StringIO()
    pricelist_write(stream=stream, rows=synthetic_rows(rows, markets=IT_ONLY))
    stream.seek(0)
    return stream


@needs_set_based
def test_set_based_import_runs_the_same_statements_whatever_the_size_of_file_and_catalog(writer):
    if writer != "set_based":
        pytest.skip("the portable writer works in chunks")
    with CaptureQueriesContext(connection) as small:
        pricelist_import_stream(stream=synthetic_file(20))
    with CaptureQueriesContext(connection) as large:
        report = pricelist_import_stream(stream=synthetic_file(7000))
    assert report.prices.added > CHUNK_SIZE  # more than one chunk of the portable writer
    assert len(small) == len(large)


@needs_set_based
def test_a_clean_file_goes_whole_through_copy_and_a_bad_one_row_by_row(writer, monkeypatch):
    if writer != "set_based":
        pytest.skip("only the set-based writer copies the file whole")
    read_row_by_row = []

    def spy(*args, **kwargs):
        read_row_by_row.append(True)
        return kept_rows(*args, **kwargs)

    monkeypatch.setattr(set_based, "kept_rows", spy)

    report = pricelist_import(path=DEMO_PRICELIST)

    assert read_row_by_row == []
    assert (report.rows_read, report.rows_kept, report.added) == (553, 50, 130)
    with pytest.raises(PricelistError, match="Riga 3: UnitPrice «abc»"):
        import_rows({}, {"UnitPrice": "abc", "SkuId": "0002"})
    assert read_row_by_row == [True]


@needs_set_based
def test_an_unchanged_reimport_writes_no_row():
    pricelist_import(path=DEMO_PRICELIST)
    versions = "SELECT xmin::text FROM {} ORDER BY id"
    tables = ("catalog_product", "catalog_sku", "catalog_plan", "catalog_price")

    def row_versions():
        with connection.cursor() as cursor:
            result = []
            for table in tables:
                cursor.execute(versions.format(table))
                result.append(cursor.fetchall())
            return result

    before = row_versions()
    pricelist_import(path=DEMO_PRICELIST)
    assert row_versions() == before


def test_no_catalog_index_duplicates_the_leading_columns_of_a_unique_constraint(writer):
    if writer != "set_based":
        pytest.skip("a property of the schema, checked once")
    with connection.cursor() as cursor:
        for table in ("catalog_product", "catalog_sku", "catalog_plan", "catalog_price"):
            constraints = connection.introspection.get_constraints(cursor, table).values()
            unique = [c["columns"] for c in constraints if c["unique"] and len(c["columns"]) > 1]
            plain = [c["columns"] for c in constraints if c["index"] and not c["unique"]]
            redundant = [
                columns for columns in plain for key in unique if key[: len(columns)] == columns
            ]
            assert redundant == [], table
