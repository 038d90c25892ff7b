"""Subscriptions end to end, in-process against the Partner Center sandbox, by topic (the
fixtures in conftest.py, the change form and the sandbox's view in helpers.py)."""
