"""Fixtures shared by every test: see tests/fixtures/ for the real services they start."""

pytest_plugins = [
    "tests.fixtures.services",
    "tests.fixtures.sandbox",
]
