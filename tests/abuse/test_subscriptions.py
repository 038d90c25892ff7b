"""Abuse proof of the subscriptions, their changes and renewals: every URL × role × method, CSRF on
every POST, hostile input in every form, out-of-range ids, oversized posts (the checks: checks.py;
the table: routes.py and forms.py)."""

import pytest

from tests.abuse import checks

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The five checks every area runs (checks.py), on this area's rows of the table.
globals().update(checks.area_tests("subscriptions"))
