"""Price-list import ÷ PostgreSQL COPY of the same file, first import and unchanged re-import.

    python -m bench.import_pricelist [ROWS] [--rounds N]

For each of two generated files of ROWS rows (default 200 000) — a European one with six
currencies, and the all-IT worst case where every row is kept — each round empties the catalog and
measures, interleaved, in this process and through the same database connection:

    COPY limit, first import, COPY limit, unchanged re-import

The limit is a COPY of the same file into an unlogged table of text columns: the least work that
moves the file into the database. Reported: seconds, the ratio of each import to the COPY right
before it (median over rounds), and the peak resident memory of the process during each import.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

from bench import harness, reporting

VARIANTS = {"europe": [], "italy": ["--it-only"]}
COPY_CHUNK_BYTES = 1 << 20
TARGETS = {"first": 2.0, "reimport": 1.2, "first_worst": 3.0, "peak_rss_mb": 150}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", type=int, nargs="?", default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--keep-database", action="store_true")
    args = parser.parse_args()

    database_url = harness.fresh_database("bench_import")
    harness.django_setup({"DATABASE_URL": database_url})
    results = {"rows": args.rows, "rounds": args.rounds, "variants": {}}
    try:
        for variant, options in VARIANTS.items():
            path = _pricelist_file(args.rows, variant, options)
            results["variants"][variant] = _measure(path, rounds=args.rounds)
    finally:
        from django.db import connection

        connection.close()
        if not args.keep_database:
            harness.drop_database(database_url)
    _print(results)
    print(f"\nJSON: {reporting.write_results('import_pricelist', results)}")


def _pricelist_file(rows: int, variant: str, options: list[str]) -> Path:
    """The generated file, written once by a separate process so it costs this one no memory."""
    path = harness.BENCH_DIR / f"pricelist-{rows}-{variant}.csv"
    if not path.exists():
        subprocess.run(
            [sys.executable, str(harness.PROJECT_DIR / "bench" / "make_pricelist.py"), str(rows),
             str(path), *options],
            check=True,
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return path


def _measure(path: Path, *, rounds: int) -> dict:
    from django.db import connection

    from catalog.pricelist.importer import pricelist_import

    columns = path.open(encoding="utf-8").readline().strip().split(",")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy_limit")
        cursor.execute(
            "CREATE UNLOGGED TABLE bench_copy_limit ("
            + ", ".join(f"c{number} text" for number in range(len(columns)))
            + ")"
        )
    samples = []
    rss_before = _rss_mb()
    for _round in range(rounds):
        # TRUNCATE, not a Django delete: collecting 300 000 rows in Python would leave this
        # process's memory high and spoil the peak-RSS figure of the imports
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE catalog_product, catalog_sku, catalog_plan, catalog_price CASCADE"
            )
        copy_first = _copy_limit(path)
        first, first_rss, report = _timed_import(pricelist_import, path)
        copy_again = _copy_limit(path)
        again, again_rss, again_report = _timed_import(pricelist_import, path)
        assert again_report.added == again_report.changed == again_report.retired == 0
        samples.append(
            {
                "copy_before_first_s": round(copy_first, 3),
                "first_s": round(first, 3),
                "first_ratio": round(first / copy_first, 2),
                "first_peak_rss_mb": round(first_rss, 1),
                "copy_before_reimport_s": round(copy_again, 3),
                "reimport_s": round(again, 3),
                "reimport_ratio": round(again / copy_again, 2),
                "reimport_peak_rss_mb": round(again_rss, 1),
            }
        )
    return {
        "rss_before_imports_mb": round(rss_before, 1),
        "file": path.name,
        "file_mb": round(path.stat().st_size / 1e6, 1),
        "rows_kept": report.rows_kept,
        "prices": report.prices.added,
        "median": {
            key: reporting.median([sample[key] for sample in samples]) for key in samples[0]
        },
        "rounds": samples,
    }


def _copy_limit(path: Path) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE bench_copy_limit")
        started = time.perf_counter()
        with (
            path.open("rb") as stream,
            cursor.copy("COPY bench_copy_limit FROM STDIN (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := stream.read(COPY_CHUNK_BYTES):
                copy.write(chunk)
        return time.perf_counter() - started


def _timed_import(pricelist_import, path: Path):
    reporting.peak_rss_reset()
    started = time.perf_counter()
    report = pricelist_import(path=path)
    return time.perf_counter() - started, reporting.peak_rss_mb(), report


def _rss_mb() -> float:
    """Resident memory now: the process with Django loaded, before any import."""
    reporting.peak_rss_reset()
    return reporting.peak_rss_mb()


def _print(results: dict) -> None:
    rows = []
    for variant, measured in results["variants"].items():
        median = measured["median"]
        worst = variant == "italy"
        rows.append(
            [
                variant,
                measured["rows_kept"],
                f"{median['copy_before_first_s']:.2f}",
                f"{median['first_s']:.2f}",
                f"{median['first_ratio']:.2f}×",
                f"≤ {TARGETS['first_worst' if worst else 'first']}×",
                f"{median['reimport_s']:.2f}",
                f"{median['reimport_ratio']:.2f}×",
                f"≤ {TARGETS['reimport']}×" if not worst else "—",
                f"{max(median['first_peak_rss_mb'], median['reimport_peak_rss_mb']):.0f}"
                f" ({measured['rss_before_imports_mb']:.0f} before)",
            ]
        )
    print(f"\nPrice-list import, {results['rows']} rows, median of {results['rounds']} rounds")
    print(reporting.table(
        ["file", "kept", "COPY s", "first s", "first÷COPY", "target", "re-import s",
         "re-import÷COPY", "target", "peak RSS MB"],
        rows,
    ))  # fmt: skip


if __name__ == "__main__":
    main()
