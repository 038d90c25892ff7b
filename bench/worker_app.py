"""The storefront's Celery app, counting the SQL statements its pool processes execute.

For bench/provisioning.py only: ``celery --app bench.worker_app worker`` runs the very same tasks;
each pool process writes its running count to BENCH_SQL_DIR/sql-<pid> after every task.
"""

import os
from pathlib import Path

from celery.signals import task_postrun, worker_process_init

from storefront.celery import app

__all__ = ["app"]

_statements = 0


def _count(execute, sql, params, many, context):
    global _statements
    _statements += 1
    return execute(sql, params, many, context)


@worker_process_init.connect
def _install_counter(**kwargs) -> None:
    from django.db import connection

    connection.execute_wrappers.append(_count)


@task_postrun.connect
def _write_count(**kwargs) -> None:
    directory = os.environ.get("BENCH_SQL_DIR")
    if directory:
        Path(directory, f"sql-{os.getpid()}").write_text(str(_statements))


def statements_counted(directory: Path) -> int:
    """The SQL statements of every pool process that wrote its count into ``directory``."""
    return sum(int(path.read_text() or 0) for path in directory.glob("sql-*"))
