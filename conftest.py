"""Fixtures shared across folders, registered once here as plugins: tests/fixtures/ starts the real
services (and the sandbox); an app's tests/fixtures.py holds those other folders use too; a
folder's conftest.py those only its own modules use. Test modules ask for a fixture by name and
never import one."""

import pytest

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.browser",
    "tests.fixtures.sandbox",
    "partnercenter.tests.fixtures",
    "orders.tests.fixtures",
    "tests.abuse.world",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: no rate-limit counter, budget or kept answer of an
    earlier test (local memory lives as long as the test process)."""
    from django.core.cache import cache

    cache.clear()
