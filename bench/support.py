"""What the page and import benchmarks share: a fresh PostgreSQL database, Django, tables, JSON.

Every figure is a ratio to a limit measured in the same run, interleaved (limit, subject, limit,
subject … in short rounds), because the machines they run on are shared and noisy. Results go to
``var/bench/<name>.json``; bench/README.md says how to read them.
"""

import contextlib
import json
import os
import platform
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = Path(os.environ.get("VAR_DIR", ROOT / "var")) / "bench"
# The server, without a database name; each benchmark makes and drops its own database.
SERVER_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "storefront_bench_")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def fresh_database(name: str) -> str:
    """Drop and create the benchmark database ``<prefix><name>``; returns its URL."""
    import psycopg

    database = f"{DATABASE_PREFIX}{name}"
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    return f"{SERVER_URL}/{database}"


def drop_database(url: str) -> None:
    import psycopg

    database = url.rsplit("/", 1)[1]
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def django_setup(database_url: str, **environment: str) -> None:
    """Configure Django on ``database_url`` in this process, then migrate it."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.update(environment)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "storefront.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def machine() -> dict:
    """The facts a reader needs to compare two runs."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_table(headers: list[str], rows: list[list]) -> None:
    cells = [[str(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    for number, row in enumerate(cells):
        print(" | ".join(cell.rjust(width) for cell, width in zip(row, widths, strict=True)))
        if number == 0:
            print("-+-".join("-" * width for width in widths))


def write_results(name: str, results: dict) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **results,
    }
    path.write_text(json.dumps(document, indent=2, default=str) + "\n", encoding="utf-8")
    print(f"\nResults written to {path}")
    return path


def peak_rss_reset() -> None:
    """Start a new peak-RSS measurement (Linux: writing 5 to clear_refs resets VmHWM)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """Peak resident memory of this process since the last reset, in MB."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
