"""Upgrades, suspend and reactivate, in-process against the Partner Center sandbox (the fixtures
in conftest.py, the pages, forms and the sandbox's view in helpers.py)."""
