"""Celery's settings, imported by storefront/settings.py: the broker, the task defaults and beat's
schedule. The same environment variables as the rest (docs/operations.md#environment-variables);
``CELERY_TIMEZONE`` is set beside ``TIME_ZONE`` in settings.py.
"""

from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from storefront.environment import IS_PRODUCTION, REDIS_URL, VAR_DIR, env

# Production: Redis (REDIS_URL or its own URL). Development (make run): the embedded broker,
# messages as files under var/celery/, which needs no server (README "make run"). Only the test
# settings run tasks in-process (CELERY_TASK_ALWAYS_EAGER), never a request of make run.
# An empty variable counts as unset (compose files often pass one through empty).
CELERY_BROKER_URL = (
    env("CELERY_BROKER_URL", default="")
    or REDIS_URL
    or ("" if IS_PRODUCTION else "filesystem://localhost/")
)
if not CELERY_BROKER_URL:
    raise ImproperlyConfigured("Set CELERY_BROKER_URL (or REDIS_URL): the worker's broker.")
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A task of a killed worker goes back to the queue after the visibility timeout; running workers
# look for such tasks every unacked_restore_interval seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 900),
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": 1,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu's file transport: one file per message in one folder that the site, beat and the
    # worker share; the folders must exist before the first message.
    CELERY_FILESYSTEM_DIR = Path(env("CELERY_FILESYSTEM_DIR", default=str(VAR_DIR / "celery")))
    for _folder in ("queue", "control", "processed"):
        (CELERY_FILESYSTEM_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        {
            "data_folder_in": str(CELERY_FILESYSTEM_DIR / "queue"),
            "data_folder_out": str(CELERY_FILESYSTEM_DIR / "queue"),
            "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
            "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
            "store_processed": False,
        }
    )
CELERY_BEAT_SCHEDULE = {
    "revalidate-mpn-nightly": {
        "task": "resellers.tasks.resellers_revalidate_mpn_task",
        "schedule": crontab(hour=2, minute=30),
    },
    # Both also run when a worker connects to the broker (storefront/celery.py).
    "orders-sweep": {
        "task": "orders.tasks.orders_sweep_task",
        "schedule": env.float("ORDER_SWEEP_INTERVAL_SECONDS", default=60),
    },
    "orders-check-relationships": {
        "task": "orders.tasks.orders_check_relationships_task",
        "schedule": env.float("ORDER_RELATIONSHIP_SCAN_SECONDS", default=15),
    },
    "subscriptions-sync-nightly": {
        "task": "subscriptions.tasks.subscriptions_sync_task",
        "schedule": crontab(hour=3, minute=15),
    },
    "change-requests-sweep": {
        "task": "subscriptions.tasks.change_requests_sweep_task",
        "schedule": env.float("ORDER_SWEEP_INTERVAL_SECONDS", default=60),
    },
    "subscription-reminders": {
        "task": "subscriptions.tasks.reminders_send_task",
        "schedule": 900.0,
    },
}
