"""The benchmarks of bench/ run at a tiny size, so that they cannot rot: each must finish and
write its JSON. No timing is asserted here; the figures live in bench/README.md."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from tests.fixtures.services import PROJECT_DIR, service_missing

pytestmark = [pytest.mark.bench, pytest.mark.postgres]


def run_benchmark(module: str, arguments: list[str], var_dir: Path) -> dict:
    """Run ``python -m bench.<module>`` with its results under ``var_dir``; returns its JSON. Its
    databases are named after the test database, so that parallel checkouts do not collide."""
    database = settings.DATABASES["default"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    env.update(
        VAR_DIR=str(var_dir),
        BENCH_DATABASE_URL=f"postgres://{database['USER']}:{database['PASSWORD']}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
    )
    finished = subprocess.run(
        [sys.executable, "-m", f"bench.{module}", *arguments],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    return json.loads((var_dir / "bench" / f"{module}.json").read_text(encoding="utf-8"))


def test_the_page_benchmark_runs_and_writes_its_json(tmp_path):
    if shutil.which("wrk") is None:
        service_missing("wrk (Debian package) is not installed")

    results = run_benchmark(
        "pages", ["30", "--subscriptions", "50", "--rounds", "1", "--seconds", "1"], tmp_path
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
    results = run_benchmark("import_pricelist", ["2000", "--rounds", "1"], tmp_path)

    assert results["rows"] == 2000
    assert set(results["variants"]) == {"europe", "italy"}
    italy = results["variants"]["italy"]
    assert italy["rows_kept"] > results["variants"]["europe"]["rows_kept"] > 0
    assert italy["median"]["first_s"] > 0 and italy["median"]["first_peak_rss_mb"] > 0


@pytest.mark.worker
def test_the_provisioning_benchmark_runs_and_writes_its_json(tmp_path):
    if shutil.which("redis-server") is None:
        service_missing("redis-server not found (apt-get install redis-server)")

    report = run_benchmark("provisioning", ["--orders", "2", "--concurrency", "1"], tmp_path)

    [result] = report["results"]
    assert (result["concurrency"], result["orders"], result["all_active"]) == (1, 2, True)
    assert result["partner_center_calls_per_order"] > 0
    assert result["sql_statements_per_order"] > 0


@pytest.mark.worker
def test_the_placement_benchmark_runs_and_writes_its_json(tmp_path):
    if shutil.which("redis-server") is None:
        service_missing("redis-server not found (apt-get install redis-server)")

    report = run_benchmark("placement", ["--orders", "8"], tmp_path)

    assert report["duplicates"] == 0
    assert report["double_submit_carts"] == 8
    assert report["errors"] == []
