"""The price-list import refuses malformed files (the line, nothing changed) and the
import_pricelist command reports them clearly; with both writers."""

import io

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Product
from catalog.pricelist import in_memory, set_based
from catalog.pricelist.importer import pricelist_import, pricelist_import_stream
from catalog.pricelist.parsing import PricelistError
from catalog.pricelist.writer import HEADER
from catalog.services import DEMO_PRICELIST
from catalog.tests.helpers import catalog_snapshot, csv_file, import_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("writer")]


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
