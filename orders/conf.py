"""Tunables of provisioning, read from settings at call time (defaults in storefront/settings.py).

Tests shorten them with pytest-django's ``settings``; a worker process gets them from the
environment through storefront/settings.py (ORDER_* variables, README).
"""

from datetime import timedelta

from django.conf import settings


def poll_seconds() -> float:
    """Wait between two looks at a Partner Center order that is not active yet."""
    return float(settings.ORDER_POLL_SECONDS)


def retry_base_seconds() -> float:
    """First wait after a transient failure; doubled at each failure in a row."""
    return float(settings.ORDER_RETRY_BASE_SECONDS)


def retry_max_seconds() -> float:
    """Longest wait between two attempts (kept below the broker's visibility timeout)."""
    return float(settings.ORDER_RETRY_MAX_SECONDS)


def max_transient_failures() -> int:
    """Transient failures in a row after which the order fails as partner_center_unavailable."""
    return int(settings.ORDER_MAX_TRANSIENT_FAILURES)


def activation_timeout() -> timedelta:
    """How long a checked-out order may stay pending in Partner Center before staff look at it."""
    return timedelta(minutes=float(settings.ORDER_ACTIVATION_TIMEOUT_MINUTES))


def run_lease() -> timedelta:
    """How long a run owns the order without reporting progress: above the slowest step (a few
    Partner Center calls at their read timeout), below sweep_after so a dead run is resumed.

    Never above the broker's visibility timeout: a run that long is taken for dead by the broker
    too, which hands its message to another worker, and that redelivered run must take over.
    """
    lease = float(settings.ORDER_RUN_LEASE_SECONDS)
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout")
    return timedelta(seconds=min(lease, float(visibility)) if visibility else lease)


def sweep_after() -> timedelta:
    """An order due this long ago without the worker touching it is resumed by the sweeper."""
    return timedelta(minutes=float(settings.ORDER_SWEEP_AFTER_MINUTES))


def relationship_wait() -> timedelta:
    return timedelta(days=settings.RELATIONSHIP_WAIT_DAYS)


def relationship_reminder_interval() -> timedelta:
    return timedelta(hours=float(settings.ORDER_RELATIONSHIP_REMINDER_HOURS))


def sweep_interval() -> timedelta:
    """How often beat runs the sweeper (also run at every worker start and broker reconnect)."""
    return timedelta(seconds=float(settings.ORDER_SWEEP_INTERVAL_SECONDS))


def relationship_scan_interval() -> timedelta:
    """How often beat looks for waiting orders whose relationship check is due."""
    return timedelta(seconds=float(settings.ORDER_RELATIONSHIP_SCAN_SECONDS))


def relationship_check_min() -> timedelta:
    """Shortest interval between two checks of a waiting order (its first minutes of waiting)."""
    return timedelta(seconds=float(settings.ORDER_RELATIONSHIP_CHECK_MIN_SECONDS))


def relationship_check_max() -> timedelta:
    """Longest interval between two checks, reached after days of waiting."""
    return timedelta(seconds=float(settings.ORDER_RELATIONSHIP_CHECK_MAX_SECONDS))


def relationship_check_claim() -> timedelta:
    """How long a fanned-out check owns its order: a lost check is sent again after this."""
    return max(relationship_check_min(), timedelta(seconds=30))
