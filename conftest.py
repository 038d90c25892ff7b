"""Fixtures shared by every test: see tests/fixtures/ for the real services they start."""

import pytest

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.sandbox",
]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: no rate-limit counter, budget or kept answer of an
    earlier test (local memory lives as long as the test process)."""
    from django.core.cache import cache

    cache.clear()
