"""The price-list import: the demo file twice, changes, retiring what left the file, format
tolerance; with both writers. Malformed files and the command: test_pricelist_import_command.py;
the set-based writer at scale: test_pricelist_import_set_based.py."""

import io
from datetime import date
from decimal import Decimal

import pytest

from catalog.models import Plan, Price, Product, Sku
from catalog.pricelist.importer import pricelist_import, pricelist_import_stream
from catalog.pricelist.parsing import SkipReason
from catalog.pricelist.writer import HEADER
from catalog.services import DEMO_PRICELIST
from catalog.tests.helpers import catalog_snapshot, csv_file, import_rows

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("writer")]


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
