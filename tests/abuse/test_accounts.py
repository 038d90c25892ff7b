"""Abuse proof of the home page, health, the language, the profile, sign-in and passwords (the
admin's sign-in form among them): every URL × role × method, CSRF on every POST, hostile input in
every form, out-of-range ids, oversized posts (the checks: checks.py; the table: routes.py and
forms.py)."""

import pytest

from tests.abuse import checks
from tests.abuse.forms import PAYLOADS, forms_of
from tests.abuse.routes import routes_of
from tests.abuse.world import ALFA, ANONYMOUS

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROUTES = routes_of("accounts")
FORMS = forms_of("accounts")
POST_ROUTES = checks.post_routes(ROUTES)


@pytest.mark.parametrize(("route", "role", "method"), checks.url_role_method_params(ROUTES))
def test_every_url_role_and_method(request, world, route, role, method):
    checks.check_url_role_and_method(request, world, route, role, method)


@pytest.mark.parametrize("role", [ANONYMOUS, ALFA])
@pytest.mark.parametrize("route", ROUTES, ids=[route.name for route in ROUTES])
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(request, world, route, role):
    checks.check_post_without_csrf_token(request, world, route, role)


@pytest.mark.parametrize("payload_id", PAYLOADS)
@pytest.mark.parametrize("endpoint", FORMS, ids=[form.id for form in FORMS])
def test_hostile_input_never_gives_a_500_and_is_shown_escaped(request, world, endpoint, payload_id):
    checks.check_hostile_input(request, world, endpoint, payload_id)


@pytest.mark.parametrize("route", POST_ROUTES, ids=[route.name for route in POST_ROUTES])
def test_an_oversized_post_is_a_400(request, world, route):
    checks.check_oversized_post(request, world, route)
