"""The sandbox handle's environment is all a separate process (a Celery worker) needs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent


def database_url() -> str:
    database = connection.settings_dict
    if database["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{database['NAME']}"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    host = database["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{database['PORT'] or 5432}/{database['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_subprocess_with_the_handles_environment_uses_the_sandbox(pc_sandbox):
    environment = {
        **os.environ,
        **pc_sandbox.env(),
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "storefront.settings_test",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "partnercenter_check", "--skip-checks"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == f"sandbox: {pc_sandbox.base_url}"
    assert result.stdout.count("OK  ") == 4
    assert pc_sandbox.control.token_requests() == 2
