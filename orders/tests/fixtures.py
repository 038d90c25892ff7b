"""Fixtures of order tests: a pytest plugin registered in the root conftest.py, so every test
module asks for them by name (helpers.py has the plain functions)."""

import pytest
from django.core.cache import cache


@pytest.fixture
def fast_provisioning(settings):
    """No waiting between provisioning attempts in-process (eager tasks run retries at once),
    and no MCA template cached by an earlier test."""
    cache.clear()
    settings.ORDER_POLL_SECONDS = 0
    settings.ORDER_RETRY_BASE_SECONDS = 0
    settings.ORDER_RETRY_MAX_SECONDS = 0
    settings.ORDER_MAX_TRANSIENT_FAILURES = 5
    settings.ORDER_RELATIONSHIP_CHECK_MIN_SECONDS = 0  # a parked order is due for a check at once
    return settings
