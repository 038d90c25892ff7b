"""The benchmarks run, at a small size, so that they cannot rot. No timing is asserted here:
timings live in bench/README.md, not in tests."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.fixtures.services import service_missing

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.postgres


def run_benchmark(tmp_path: Path, *arguments: str) -> dict:
    """Run ``bench/<arguments>`` with its results under ``tmp_path``; returns its JSON."""
    database = settings.DATABASES["default"]
    server = (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or '127.0.0.1'}"
        f":{database['PORT'] or 5432}"
    )
    environment = {
        **{key: value for key, value in os.environ.items() if not key.startswith("PYTEST")},
        "VAR_DIR": str(tmp_path),
        "BENCH_POSTGRES_URL": server,
        # one name space per test database, so that parallel checkouts do not collide
        "BENCH_DATABASE_PREFIX": os.environ.get(
            "BENCH_DATABASE_PREFIX", f"bench_{database['NAME']}_"
        ),
    }
    environment.pop("DATABASE_URL", None)
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    completed = subprocess.run(
        [sys.executable, str(ROOT / "bench" / arguments[0]), *arguments[1:]],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    name = Path(arguments[0]).stem
    return json.loads((tmp_path / "bench" / f"{name}.json").read_text(encoding="utf-8"))


def test_the_page_benchmark_runs_and_writes_its_json(tmp_path):
    if shutil.which("wrk") is None:
        service_missing("wrk (Debian package) is not installed")

    results = run_benchmark(
        tmp_path, "pages.py", "30", "--subscriptions", "50", "--rounds", "1", "--seconds", "1"
    )

    assert results["products"] == 30
    assert results["subscriptions"] == 50
    assert set(results["pages"]) == {
        "profile (limit)",
        "catalog",
        "product plans",
        "cart, 5 lines",
        "order list",
        "order detail",
        "customer list",
        "subscription list",
        "subscription search",
        "subscription detail",
    }
    for page in results["pages"].values():
        assert page["rps"] > 0 and page["html_bytes"] > 0 and page["sql"] > 0


def test_the_import_benchmark_runs_and_writes_its_json(tmp_path):
    results = run_benchmark(tmp_path, "import_pricelist.py", "2000", "--rounds", "1")

    assert results["rows"] == 2000
    assert set(results["variants"]) == {"europe", "italy"}
    italy = results["variants"]["italy"]
    assert italy["rows_kept"] > results["variants"]["europe"]["rows_kept"] > 0
    assert italy["median"]["first_s"] > 0 and italy["median"]["first_peak_rss_mb"] > 0
