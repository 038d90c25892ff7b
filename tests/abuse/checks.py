"""The checks every area's module (test_<area>.py) runs on its URLs and forms, and the
parameters that name them: one body per check, the same for every area."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.crypto import get_random_string

from tests.abuse.forms import (
    ESCAPED_SCRIPT,
    PAYLOADS,
    SCRIPT,
    FormEndpoint,
    assert_safe_answer,
    forms_of,
    hostile_request,
)
from tests.abuse.routes import Route, routes_of, send
from tests.abuse.world import (
    ALFA,
    ANONYMOUS,
    DEACTIVATED,
    LOGIN_URL,
    METHODS,
    ROLES,
    World,
    assert_no_secret_of,
    client_for,
    partner_center,
    rows_of,
    unchanged_sides,
    untouched_sides,
)


def url_role_method_params(routes: list[Route]) -> list:
    return [
        pytest.param(route, role, method, id=f"{route.name}-{role}-{method}")
        for route in routes
        for role in ROLES
        for method in METHODS
    ]


def check_url_role_and_method(request, world: World, route: Route, role: str, method: str):
    # Given a client for the role and every reseller's rows as they are
    partner_center(request, is_called=route.calls_partner_center)
    client = client_for(world, role)
    untouched = untouched_sides(world, role)
    unchanged = unchanged_sides(world, role, route)
    before = rows_of(*unchanged)
    url = route.url(world)
    data = route.data(world)

    # When it sends the URL's request
    response = send(client, method, url, data)

    # Then the answer is the expected one, nothing of another reseller changed or was shown
    assert response.status_code == route.expected(role, method)
    if response.status_code == 302 and role == ANONYMOUS and route.public is None:
        assert response["Location"].startswith(f"{LOGIN_URL}?next=")
    if role == DEACTIVATED and response.status_code == 403 and method != "HEAD":
        assert "Account del rivenditore disattivato" in response.content.decode()
        assert f"mailto:{settings.SUPPORT_EMAIL}" in response.content.decode()
    assert rows_of(*unchanged) == before
    assert_no_secret_of(untouched, response.content.decode(), sent=data)


def check_post_without_csrf_token(request, world: World, route: Route, role: str):
    # Given a client that checks CSRF as a browser's requests are checked
    partner_center(request, is_called=route.calls_partner_center)
    client = client_for(world, role, enforce_csrf_checks=True)
    before = rows_of(world.alfa, world.beta)
    url = route.url(world)

    # When it posts the form without the token
    refused = client.post(url, route.data(world))

    # Then it is refused, and nothing changed
    assert refused.status_code == 403
    assert b"CSRF" in refused.content
    assert rows_of(world.alfa, world.beta) == before

    # And with the token the same post goes through: the token was the reason
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    accepted = client.post(url, {**route.data(world), "csrfmiddlewaretoken": secret})
    assert accepted.status_code == route.expected(role, "POST")


def check_hostile_input(request, world: World, endpoint: FormEndpoint, payload_id: str):
    partner_center(request, is_called=endpoint.calls_partner_center)
    payload = PAYLOADS[payload_id]
    client = client_for(world, endpoint.role)
    url = reverse(endpoint.url_name, kwargs=endpoint.kwargs(world))

    for name in endpoint.fields(world):
        # When one field carries the hostile value and the others are valid
        response = hostile_request(
            client, endpoint.method, url, endpoint.valid(world), name, payload
        )

        # Then the answer is no 500, and what it shows back is escaped
        body = assert_safe_answer(response, where=f"{name}={payload_id}")
        if payload == SCRIPT and name in endpoint.echoed:
            assert ESCAPED_SCRIPT in body, f"{name} not shown back"


def object_routes(routes: list[Route]) -> list[Route]:
    return [route for route in routes if route.owns_object]


def check_out_of_range_id(request, world: World, route: Route, number: str):
    partner_center(request, is_called=False)
    client = client_for(world, ALFA)
    (name,) = route.kwargs(world)
    method = "GET" if route.own["GET"] != 405 else "POST"
    before = rows_of(world.alfa)

    response = send(client, method, reverse(route.name, kwargs={name: number}), route.data(world))

    assert response.status_code == 404
    assert rows_of(world.alfa) == before


def post_routes(routes: list[Route]) -> list[Route]:
    return [route for route in routes if route.own["POST"] != 405]


def check_oversized_post(request, world: World, route: Route):
    # Too many fields, or a body too big, is the client's fault: 400, never a 500. The browser's
    # CSRF check reads the body first, on every POST, so every POST endpoint answers the same.
    partner_center(request, is_called=False)
    client = client_for(world, ALFA, enforce_csrf_checks=True)
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    too_many_fields = {f"field{number}": "x" for number in range(1_100)}
    too_big = {"note": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    before = rows_of(world.alfa)

    for data in (too_many_fields, too_big):
        response = client.post(
            route.url(world), {**route.data(world), **data, "csrfmiddlewaretoken": secret}
        )
        assert response.status_code == 400, route.name
    assert rows_of(world.alfa) == before


def area_tests(area: str) -> dict:
    """The tests of test_<area>.py, each check's parameters taken from the area's rows of the
    table; a check with nothing to check in the area is left out. The module binds them to its own
    names (``globals().update(...)``) so that pytest collects them there, ids unchanged."""
    routes, forms = routes_of(area), forms_of(area)
    tests = {}

    @pytest.mark.parametrize(("route", "role", "method"), url_role_method_params(routes))
    def test_every_url_role_and_method(request, world, route, role, method):
        check_url_role_and_method(request, world, route, role, method)

    @pytest.mark.parametrize("role", [ANONYMOUS, ALFA])
    @pytest.mark.parametrize("route", routes, ids=[route.name for route in routes])
    def test_a_post_without_csrf_token_is_refused_and_changes_nothing(request, world, route, role):
        check_post_without_csrf_token(request, world, route, role)

    @pytest.mark.parametrize("payload_id", PAYLOADS)
    @pytest.mark.parametrize("endpoint", forms, ids=[form.id for form in forms])
    def test_hostile_input_never_gives_a_500_and_is_shown_escaped(
        request, world, endpoint, payload_id
    ):
        check_hostile_input(request, world, endpoint, payload_id)

    numbers = ["0", "9" * 19, "9" * 40]

    @pytest.mark.parametrize("number", numbers, ids=["zero", "bigint+1", "40-digits"])
    @pytest.mark.parametrize("route", object_routes(routes), ids=lambda route: route.name)
    def test_an_out_of_range_id_in_the_path_is_not_found(request, world, route, number):
        check_out_of_range_id(request, world, route, number)

    @pytest.mark.parametrize("route", post_routes(routes), ids=lambda route: route.name)
    def test_an_oversized_post_is_a_400(request, world, route):
        check_oversized_post(request, world, route)

    checks = {
        test_every_url_role_and_method: routes,
        test_a_post_without_csrf_token_is_refused_and_changes_nothing: routes,
        test_hostile_input_never_gives_a_500_and_is_shown_escaped: forms,
        test_an_out_of_range_id_in_the_path_is_not_found: object_routes(routes),
        test_an_oversized_post_is_a_400: post_routes(routes),
    }
    for test, rows in checks.items():
        if rows:
            tests[test.__name__] = test
    return tests
