"""The real services the project stands on: Celery on Redis, SMTP, CI's refusal to skip them."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from storefront.models import WorkerHeartbeat
from storefront.services import worker_heartbeat_send
from tests.fixtures.services import PROJECT_DIR, free_port


def wait_until_processed(heartbeat_id: int, timeout: float = 30) -> WorkerHeartbeat:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heartbeat = WorkerHeartbeat.objects.get(pk=heartbeat_id)
        if heartbeat.processed_at:
            return heartbeat
        time.sleep(0.1)
    raise AssertionError(f"heartbeat {heartbeat_id} not processed in {timeout} s")


@pytest.mark.worker
@pytest.mark.postgres
def test_task_runs_on_a_real_worker_through_redis_only_after_commit(celery_workers, redis_client):
    worker = celery_workers.start(concurrency=1)

    with transaction.atomic():
        heartbeat = worker_heartbeat_send()
        time.sleep(0.5)
        # Nothing reached the broker yet: the row is not committed, so a worker must not run.
        assert redis_client.llen("celery") == 0

    processed = wait_until_processed(heartbeat.pk)
    assert processed.processed_by.startswith("worker1@")
    assert worker.poll() is None


@pytest.mark.django_db(transaction=True)
def test_task_runs_in_process_after_commit_without_a_broker(settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER is True

    with transaction.atomic():
        heartbeat = worker_heartbeat_send()
        WorkerHeartbeat.objects.get(pk=heartbeat.pk, processed_at__isnull=True)

    heartbeat.refresh_from_db()
    assert heartbeat.processed_at is not None
    assert heartbeat.processed_by == "in-process"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_transaction_enqueues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        worker_heartbeat_send()
        raise RuntimeError("checkout failed")
    assert WorkerHeartbeat.objects.count() == 0


def test_a_real_email_reaches_the_smtp_server_and_reads_back(smtp):
    sent = mail.send_mail(
        "Riepilogo della sottoscrizione",
        "Gentile cliente, è tutto pronto.",
        "noreply@storefront.example",
        ["rivenditore@example.it"],
    )
    assert sent == 1
    [message] = smtp.wait_for(1)
    assert message["Subject"] == "Riepilogo della sottoscrizione"
    assert message["To"] == "rivenditore@example.it"
    assert "è tutto pronto" in message.get_payload(decode=True).decode()
    assert smtp.envelopes == [("noreply@storefront.example", ["rivenditore@example.it"])]


def run_pytest_under_ci(test_id: str, **environment) -> subprocess.CompletedProcess:
    # A database name of its own: the inner run must never touch this run's test database.
    database = settings.DATABASES["default"]
    own_database_url = (
        f"postgres://{database.get('USER') or 'postgres'}@{database.get('HOST') or '127.0.0.1'}:"
        f"{database.get('PORT') or 5432}/storefront_ci_probe"
    )
    env = {**os.environ, "CI": "true", "DATABASE_URL": own_database_url, **environment}
    return subprocess.run(
        [sys.executable, "-m", "pytest", test_id, "-q", "-p", "no:cacheprovider", "-o", "addopts="],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_ci_run_fails_instead_of_skipping_when_postgresql_is_unreachable():
    closed_port = free_port()
    result = run_pytest_under_ci(
        "storefront/tests/test_money.py",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port}/storefront",
    )
    assert result.returncode != 0
    assert "PostgreSQL is required" in result.stdout + result.stderr


@pytest.mark.postgres
def test_ci_run_fails_instead_of_skipping_when_redis_is_unreachable():
    closed_port = free_port()
    result = run_pytest_under_ci(
        "tests/test_foundation_services.py::test_task_runs_on_a_real_worker_through_redis_only_after_commit",
        TEST_REDIS_URL=f"redis://127.0.0.1:{closed_port}/0",
    )
    assert result.returncode != 0
    assert "a required service is missing: Redis" in result.stdout
