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

pytestmark = [pytest.mark.bench, pytest.mark.postgres, pytest.mark.worker]


def run_benchmark(module: str, arguments: list[str], var_dir: Path) -> dict:
    if shutil.which("redis-server") is None:
        service_missing("redis-server not found (apt-get install redis-server)")
    database = settings.DATABASES["default"]
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(
        VAR_DIR=str(var_dir),
        BENCH_DATABASE_URL=f"postgres://{database['USER']}:{database['PASSWORD']}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}",
    )
    finished = subprocess.run(
        [sys.executable, "-m", module, *arguments],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout[-3000:] + finished.stderr[-3000:]
    name = module.rsplit(".", 1)[1]
    return json.loads((var_dir / "bench" / f"{name}.json").read_text())


def test_the_provisioning_benchmark_runs_and_writes_its_json(tmp_path):
    report = run_benchmark("bench.provisioning", ["--orders", "2", "--concurrency", "1"], tmp_path)

    [result] = report["results"]
    assert (result["concurrency"], result["orders"], result["all_active"]) == (1, 2, True)
    assert result["partner_center_calls_per_order"] > 0
    assert result["sql_statements_per_order"] > 0


def test_the_placement_benchmark_runs_and_writes_its_json(tmp_path):
    report = run_benchmark("bench.placement", ["--orders", "8"], tmp_path)

    assert report["duplicates"] == 0
    assert report["double_submit_carts"] == 8
    assert report["errors"] == []
