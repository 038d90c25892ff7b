"""Abuse proof of the home page, health, the language, the profile, sign-in and passwords (the
admin's sign-in form among them): every URL × role × method, CSRF on every POST, hostile input in
every form, out-of-range ids, oversized posts (the checks: checks.py; the table: routes.py and
forms.py)."""

import pytest

from tests.abuse import checks

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The five checks every area runs (checks.py), on this area's rows of the table.
globals().update(checks.area_tests("accounts"))
