"""The URL table names every URL of the project, and each URL falls to one area's module."""

from pathlib import Path

import pytest

from tests.abuse.forms import FORM_ENDPOINTS
from tests.abuse.routes import ROUTES, ROUTES_BY_NAME, area_of, project_urls

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def test_every_url_is_in_the_table():
    # A new URL must be added to ROUTES, with its fillers and expected answers, to be checked.
    assert sorted(project_urls()) == sorted(ROUTES_BY_NAME)


def test_every_url_and_form_of_the_table_is_checked_by_an_area_module():
    # A new namespace must be given to an area (routes.AREAS) whose test_<area>.py exists.
    modules = {path.stem.removeprefix("test_") for path in Path(__file__).parent.glob("test_*.py")}
    names = [route.name for route in ROUTES] + [form.url_name for form in FORM_ENDPOINTS]

    assert {area_of(name) for name in names} <= modules
