"""Fixtures of the catalog's tests (their folder only; helpers.py has the plain functions)."""

import pytest

from catalog.pricelist import importer


@pytest.fixture(params=["set_based", "in_memory"])
def writer(request, monkeypatch):
    """A price-list test runs with both writers (its module uses this fixture): set-based on
    PostgreSQL, the portable one elsewhere."""
    if request.param == "in_memory":
        monkeypatch.setattr(importer, "SET_BASED_VENDORS", set())
    return request.param
