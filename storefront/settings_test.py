"""Settings for the test suite: the development settings on PostgreSQL, with fast hashing.

PostgreSQL comes from DATABASE_URL (default: the local server). When it cannot be reached the
suite falls back to SQLite and the tests marked ``postgres`` are skipped, except under CI=true,
where an unreachable PostgreSQL is an error (tests/conftest.py).
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/storefront")

from storefront.settings import *  # noqa: F403
from storefront.settings import DATABASES, VAR_DIR, env

POSTGRES_UNAVAILABLE_REASON = ""


def _postgres_reachable(database: dict) -> str:
    import psycopg

    try:
        psycopg.connect(
            host=database["HOST"] or "127.0.0.1",
            port=database["PORT"] or 5432,
            user=database["USER"],
            password=database["PASSWORD"],
            dbname="postgres",
            connect_timeout=3,
        ).close()
    except psycopg.Error as exc:
        return f"PostgreSQL at {database['HOST']}:{database['PORT']} unreachable: {exc}"
    return ""


if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    POSTGRES_UNAVAILABLE_REASON = _postgres_reachable(DATABASES["default"])
    if POSTGRES_UNAVAILABLE_REASON:
        DATABASES = {
            "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "test.sqlite3"}
        }
    else:
        # Connections are per test; a long-lived one would outlast the test database.
        DATABASES["default"]["CONN_MAX_AGE"] = 0

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_BROKER_URL = "memory://"
CELERY_TASK_ALWAYS_EAGER = True
TEST_REDIS_URL = env(
    "TEST_REDIS_URL", default=env("REDIS_URL", default="redis://127.0.0.1:6379/15")
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = True
