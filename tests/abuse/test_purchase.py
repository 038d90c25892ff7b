"""Abuse proof of the new-customer wizard: every URL × role × method, CSRF on every POST, hostile
input in every form, out-of-range ids, oversized posts (the checks: checks.py; the table: routes.py
and forms.py)."""

import pytest
from django.urls import reverse

from storefront.tests.factories import UserFactory
from tests.abuse import checks
from tests.abuse.world import signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The five checks every area runs (checks.py), on this area's rows of the table.
globals().update(checks.area_tests("purchase"))


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
