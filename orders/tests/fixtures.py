"""Fixtures of order tests; test modules import the ones they use."""

import pytest
from django.apps import apps
from django.core import serializers
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


def sandbox_duplicates(pc_sandbox) -> dict:
    """Only the counters (customers, orders, subscriptions created twice)."""
    counters = pc_sandbox.control.duplicates()
    return {kind: counters[kind] for kind in ("customers", "orders", "subscriptions")}


NO_DUPLICATES = {"customers": 0, "orders": 0, "subscriptions": 0}


def database_text() -> str:
    """Every row of every table of the project, as JSON: to search it for a secret."""
    return "\n".join(
        serializers.serialize("json", model.objects.all())
        for model in apps.get_models()
        if not model._meta.proxy
    )
