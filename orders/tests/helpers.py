"""Plain helpers of order tests (the fixtures are in fixtures.py, a plugin of the root conftest)."""

from django.apps import apps
from django.core import serializers


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
