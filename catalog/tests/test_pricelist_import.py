import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.models import Plan, Price, Product, Sku
from catalog.pricelist import importer, in_memory, set_based
from catalog.pricelist.importer import pricelist_import, pricelist_import_stream
from catalog.pricelist.parsing import PricelistError, SkipReason
from catalog.pricelist.reading import kept_rows
from catalog.pricelist.synthetic import IT_ONLY, synthetic_rows
from catalog.pricelist.upsert import CHUNK_SIZE
from catalog.pricelist.writer import HEADER, pricelist_write
from catalog.services import DEMO_PRICELIST

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["set_based", "in_memory"])
def writer(request, monkeypatch):
    """Every test runs with both writers: set-based on PostgreSQL, the portable one elsewhere."""
    if request.param == "in_memory":
        monkeypatch.setattr(importer, "SET_BASED_VENDORS", set())
    return request.param


ROW = {
    "ProductTitle": "Microsoft 365 Business Standard",
    "ProductId": "CFQ7TTC0LDPB",
    "SkuId": "0001",
    "SkuTitle": "Microsoft 365 Business Standard",
    "Publisher": "Microsoft Corporation",
    "SkuDescription": "Desktop apps, email and Teams",
    "UnitOfMeasure": "1 License",
    "TermDuration": "P1Y",
    "BillingPlan": "Annual",
    "Market": "IT",
    "Currency": "EUR",
    "UnitPrice": "127.64",
    "PricingTierRangeMin": "0",
    "PricingTierRangeMax": "",
    "EffectiveStartDate": "11/1/2026 12:00:00 AM",
    "EffectiveEndDate": "12/31/9999 11:59:59 PM",
    "Tags": "",
    "ERP Price": "153.17",
}


def csv_file(*rows: dict, header=HEADER, bom: bool = False) -> io.StringIO:
    """A price list in Microsoft's format; each row overrides ROW's values."""
    lines = []
    for values in ({name: name for name in header}, *({**ROW, **row} for row in rows)):
        lines.append(",".join(_quoted(values.get(name, "")) for name in header))
    return io.StringIO(("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n")


def _quoted(value: str) -> str:
    return f'"{value}"' if "," in value else value


def import_rows(*rows: dict, header=HEADER, **options):
    return pricelist_import_stream(stream=csv_file(*rows, header=header), **options)


def catalog_snapshot() -> dict:
    return {
        "products": sorted(Product.objects.values_list("product_id", "title", "family")),
        "skus": sorted(
            Sku.objects.values_list("product__product_id", "sku_id", "title", "description")
        ),
        "plans": sorted(
            Plan.objects.values_list("sku__product__product_id", "term", "billing", "is_active")
        ),
        "prices": sorted(
            Price.objects.values_list(
                "plan__sku__product__product_id",
                "plan__term",
                "plan__billing",
                "effective_start",
                "effective_end",
                "cost_price",
                "erp_price",
            )
        ),
    }


# --- The demo file, idempotency, changes ---------------------------------------------------------


def test_importing_the_demo_file_twice_gives_the_same_catalog():
    first = pricelist_import(path=DEMO_PRICELIST)
    after_first = catalog_snapshot()
    second = pricelist_import(path=DEMO_PRICELIST)

    assert (first.products.added, first.skus.added, first.plans.added, first.prices.added) == (
        15,
        15,
        50,
        50,
    )
    assert first.rows_read == 553 and first.rows_kept == 50
    assert first.skipped == {
        SkipReason.OTHER_MARKET: 495,
        SkipReason.UNSOLD_TERM_OR_BILLING: 5,
        SkipReason.TRIAL: 2,
        SkipReason.NOT_LICENCE: 1,
    }
    assert (second.added, second.changed, second.retired) == (0, 0, 0)
    assert second.skipped == first.skipped
    assert catalog_snapshot() == after_first


def test_a_changed_price_updates_exactly_that_plan():
    pricelist_import(path=DEMO_PRICELIST)
    before = catalog_snapshot()
    changed_file = DEMO_PRICELIST.read_text(encoding="utf-8").replace(
        "1 License,P1Y,Annual,IT,EUR,127.64,", "1 License,P1Y,Annual,IT,EUR,130.00,"
    )

    report = pricelist_import_stream(stream=io.StringIO(changed_file))

    assert (report.added, report.changed, report.retired) == (0, 1, 0)
    assert report.prices.changed == 1
    changed = Price.objects.get(
        plan__sku__product__product_id="CFQ7TTC0LDPB", plan__term="P1Y", plan__billing="annual"
    )
    assert changed.cost_price == Decimal("130.00")
    after = catalog_snapshot()
    assert [row for row in after["prices"] if row not in before["prices"]] == [
        (
            "CFQ7TTC0LDPB",
            "P1Y",
            "annual",
            date(2026, 11, 1),
            None,
            Decimal("130.00"),
            Decimal("153.17"),
        )
    ]
    assert after["plans"] == before["plans"] and after["skus"] == before["skus"]


def test_a_changed_title_updates_the_product_and_sku_only():
    import_rows({})
    report = import_rows({"ProductTitle": "Microsoft 365 Business Std", "SkuDescription": "Nuova"})
    assert (report.products.changed, report.skus.changed, report.prices.changed) == (1, 1, 0)
    assert Product.objects.get().title == "Microsoft 365 Business Std"
    assert Sku.objects.get().description == "Nuova"


def test_import_keeps_details_that_come_from_partner_center_and_staff():
    import_rows({})
    Product.objects.update(family="Microsoft 365 Business", description="Per le PMI")
    Sku.objects.update(min_quantity=2, max_quantity=50, is_addon=True, provisioning_id="abc")
    import_rows({"SkuTitle": "Titolo nuovo"})
    assert Product.objects.values_list("family", "description").get() == (
        "Microsoft 365 Business",
        "Per le PMI",
    )
    assert Sku.objects.values_list(
        "title", "min_quantity", "max_quantity", "is_addon", "provisioning_id"
    ).get() == ("Titolo nuovo", 2, 50, True, "abc")


def test_dry_run_reports_and_changes_nothing():
    report = pricelist_import(path=DEMO_PRICELIST, dry_run=True)
    assert report.added == 130 and report.dry_run
    assert not Product.objects.exists() and not Price.objects.exists()


# --- Retiring what left the file ------------------------------------------------------------------


def test_a_plan_absent_from_the_file_is_deactivated_and_comes_back_when_listed_again():
    monthly = {"TermDuration": "P1M", "BillingPlan": "Monthly", "UnitPrice": "12.76"}
    import_rows({}, monthly)

    without_monthly = import_rows({})
    assert without_monthly.plans.retired == 1
    assert Plan.objects.get(term="P1M").is_active is False
    assert Price.objects.filter(plan__term="P1M").count() == 1  # history kept

    back = import_rows({}, monthly)
    assert (back.plans.changed, back.plans.retired, back.prices.changed) == (1, 0, 0)
    assert Plan.objects.get(term="P1M").is_active is True


def test_a_superseded_price_is_end_dated_and_a_withdrawn_one_deleted():
    import_rows(
        {"EffectiveStartDate": "2026-10-01"},
        {"EffectiveStartDate": "2027-01-01", "UnitPrice": "140.00"},
    )

    report = import_rows({"EffectiveStartDate": "2026-11-01", "UnitPrice": "130.00"})

    assert report.prices.added == 1 and report.prices.retired == 2
    assert sorted(Price.objects.values_list("effective_start", "effective_end", "cost_price")) == [
        (date(2026, 10, 1), date(2026, 10, 31), Decimal("127.64")),
        (date(2026, 11, 1), None, Decimal("130.00")),
    ]
    assert import_rows({"EffectiveStartDate": "2026-11-01", "UnitPrice": "130.00"}).retired == 0


# --- Format tolerance -----------------------------------------------------------------------------


def test_bom_quoted_commas_both_date_formats_and_extra_columns():
    header = ("Segment", "ListVersion", *reversed(HEADER))  # other order, more columns
    stream = csv_file(
        {
            "ProductTitle": "Microsoft 365 Business Standard, annual",
            "SkuDescription": 'Apps, "desktop" and email',
            "EffectiveStartDate": "2026-11-01T00:00:00Z",
            "EffectiveEndDate": "2026-12-01T00:00:00Z",
            "Segment": "Commercial",
        },
        {
            "BillingPlan": "Monthly",
            "EffectiveStartDate": "2026-11-01",
            "EffectiveEndDate": "2027-01-31",
            "Segment": "",
        },
        {"TermDuration": "P1M", "BillingPlan": "Monthly", "EffectiveStartDate": "11/1/2026"},
        header=header,
        bom=True,
    )
    # csv_file quotes fields with commas, but a quote inside must be doubled
    stream = io.StringIO(stream.getvalue().replace('"desktop"', '""desktop""'))

    report = pricelist_import_stream(stream=stream)

    assert report.rows_kept == 3 and report.skipped_total == 0
    product = Product.objects.get()
    assert product.title == "Microsoft 365 Business Standard, annual"
    assert Sku.objects.get().description == 'Apps, "desktop" and email'
    assert sorted(
        Price.objects.values_list("plan__term", "plan__billing", "effective_start", "effective_end")
    ) == [
        ("P1M", "monthly", date(2026, 11, 1), None),
        ("P1Y", "annual", date(2026, 11, 1), date(2026, 11, 30)),
        ("P1Y", "monthly", date(2026, 11, 1), date(2027, 1, 31)),
    ]


def test_only_licence_based_rows_of_the_market_and_currency_are_kept_and_skips_are_counted():
    report = import_rows(
        {},
        {"Market": "DE"},
        {"Currency": "USD"},
        {"Market": " it ", "Currency": "eur", "TermDuration": "P1M", "BillingPlan": "Monthly"},
        {"Tags": "Trial", "SkuId": "0002"},
        {"UnitOfMeasure": "1 GB", "SkuId": "0003"},
        {"TermDuration": "P3Y", "BillingPlan": "Triennial"},
        {"TermDuration": "P1D"},
        {"PricingTierRangeMin": "301", "UnitPrice": "100.00"},
        {},  # the same plan and start date again
        {"Segment": "Education"},
        header=(*HEADER, "Segment"),
    )

    assert report.rows_read == 11 and report.rows_kept == 2
    assert report.skipped == {
        SkipReason.OTHER_MARKET: 2,
        SkipReason.TRIAL: 1,
        SkipReason.NOT_LICENCE: 1,
        SkipReason.UNSOLD_TERM_OR_BILLING: 2,
        SkipReason.HIGHER_TIER: 1,
        SkipReason.DUPLICATE: 1,
        SkipReason.OTHER_SEGMENT: 1,
    }
    assert sorted(Plan.objects.values_list("term", "billing")) == [
        ("P1M", "monthly"),
        ("P1Y", "annual"),
    ]


def test_another_market_and_currency_can_be_chosen():
    report = import_rows({}, {"Market": "CH", "Currency": "CHF", "UnitPrice": "119.98"},
                         market="ch", currency="chf")  # fmt: skip
    assert report.rows_kept == 1
    assert Price.objects.get().cost_price == Decimal("119.98")


# --- Malformed files ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ({"UnitPrice": "12,5"}, "UnitPrice «12,5» non è un importo valido"),
        ({"ERP Price": ""}, "ERP Price «» non è un importo valido"),
        ({"UnitPrice": "-3.00"}, "UnitPrice «-3.00» non è un importo valido"),
        ({"UnitPrice": "1.23456"}, "UnitPrice «1.23456» non è un importo valido"),
        ({"EffectiveStartDate": "31/12/2026"}, "EffectiveStartDate «31/12/2026» non è una data"),
        ({"EffectiveStartDate": "2026-02-30"}, "EffectiveStartDate «2026-02-30» non è una data"),
        ({"EffectiveEndDate": "2026-10-01"}, "EffectiveEndDate precede EffectiveStartDate"),
        ({"ProductId": ""}, "ProductId deve avere da 1 a 32 caratteri"),
        ({"SkuTitle": "x" * 256}, "SkuTitle deve avere da 1 a 255 caratteri"),
    ],
)
def test_a_malformed_row_stops_the_import_with_its_line_and_changes_nothing(
    bad_row, message, monkeypatch
):
    pricelist_import(path=DEMO_PRICELIST)
    before = catalog_snapshot()
    # write every row at once, so that the rows before the bad one are already in the database
    monkeypatch.setattr(in_memory, "CHUNK_SIZE", 1)
    monkeypatch.setattr(set_based, "COPY_BUFFER_CHARS", 1)
    rows = [
        {"ProductId": "CFQ7TTC0NEW1", "ProductTitle": "Nuovo"},
        {"UnitPrice": "99.00"},
        {"ProductId": "CFQ7TTC0NEW2", "ProductTitle": "Nuovo 2", **bad_row},
        {"ProductId": "CFQ7TTC0NEW3", "ProductTitle": "Nuovo 3"},
    ]

    with pytest.raises(PricelistError) as error:
        import_rows(*rows)

    assert error.value.line == 4
    assert str(error.value).startswith("Riga 4: ")
    assert message in str(error.value)
    assert catalog_snapshot() == before


def test_a_row_with_an_unquoted_comma_is_malformed():
    stream = csv_file({}, {})
    lines = stream.getvalue().split("\r\n")
    lines[2] = lines[2].replace("Microsoft 365 Business Standard", "Microsoft 365, Standard", 1)
    with pytest.raises(PricelistError) as error:
        pricelist_import_stream(stream=io.StringIO("\r\n".join(lines)))
    assert error.value.line == 3
    assert "ha 19 campi invece di 18" in str(error.value)
    assert not Product.objects.exists()


def test_a_missing_column_rejects_the_file_at_line_1():
    header = tuple(name for name in HEADER if name not in {"UnitPrice", "Tags"})
    with pytest.raises(PricelistError) as error:
        pricelist_import_stream(stream=csv_file({}, header=header))
    assert error.value.line == 1
    assert str(error.value) == "Riga 1: mancano le colonne UnitPrice, Tags."


def test_an_empty_or_non_utf8_file_is_refused(tmp_path):
    with pytest.raises(PricelistError, match="il file è vuoto"):
        pricelist_import_stream(stream=io.StringIO(""))
    latin1 = tmp_path / "listino.csv"
    latin1.write_bytes(csv_file({"ProductTitle": "Società"}).getvalue().encode("latin-1"))
    with pytest.raises(PricelistError, match="non è in UTF-8"):
        pricelist_import(path=latin1)
    assert not Product.objects.exists()


# --- The command ----------------------------------------------------------------------------------


def test_import_pricelist_command_prints_the_summary():
    out = io.StringIO()
    call_command("import_pricelist", str(DEMO_PRICELIST), stdout=out)
    text = out.getvalue()
    assert "Listino IT/EUR: 553 righe lette, 50 importate." in text
    assert "prezzi: 50 aggiunti, 0 modificati, 0 ritirati" in text
    assert "Totale: 130 aggiunti, 0 modificati, 0 ritirati, 503 saltati." in text

    out = io.StringIO()
    call_command("import_pricelist", str(DEMO_PRICELIST), "--dry-run", stdout=out)
    assert "Totale: 0 aggiunti, 0 modificati, 0 ritirati, 503 saltati." in out.getvalue()
    assert "nessuna modifica salvata" in out.getvalue()


def test_import_pricelist_command_reports_bad_input_clearly(tmp_path):
    with pytest.raises(CommandError, match="File non trovato"):
        call_command("import_pricelist", str(tmp_path / "manca.csv"))
    bad = tmp_path / "listino.csv"
    bad.write_text(csv_file({}, {"UnitPrice": "abc"}).getvalue(), encoding="utf-8")
    with pytest.raises(CommandError, match=r"nessuna modifica salvata\. Riga 3: UnitPrice «abc»"):
        call_command("import_pricelist", str(bad))
    assert not Product.objects.exists()


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
