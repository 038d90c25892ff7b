"""Abuse proof of the new-customer wizard: every URL × role × method, CSRF on every POST, hostile
input in every form, out-of-range ids, oversized posts (the checks: checks.py; the table: routes.py
and forms.py)."""

import pytest
from django.urls import reverse

from storefront.tests.factories import UserFactory
from tests.abuse import checks
from tests.abuse.forms import PAYLOADS, forms_of
from tests.abuse.routes import routes_of
from tests.abuse.world import ALFA, ANONYMOUS, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROUTES = routes_of("purchase")
FORMS = forms_of("purchase")
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


@pytest.mark.parametrize("colleague_of", ["alfa", "beta"])
def test_a_checkout_token_leads_only_its_own_reseller_to_the_order(world, colleague_of):
    # Given a user without a cart who knows the token of Alfa's ordered cart: Alfa's or Beta's
    side = getattr(world, colleague_of)
    client = signed_in(UserFactory(reseller=side.user.reseller))
    token = str(world.alfa.order.cart.checkout_token)

    # When the confirmation is posted with it (a second tab, a reload)
    response = client.post(reverse("purchase:confirm"), {"checkout_token": token})

    # Then Alfa's colleague finds Alfa's order; Beta's user is sent to its own cart
    expected = {
        "alfa": reverse("orders:order_placed", kwargs={"pk": world.alfa.order.pk}),
        "beta": reverse("checkout:cart"),
    }
    assert response.status_code == 302
    assert response["Location"] == expected[colleague_of]
