"""Abuse proof of the catalogue and the cart («Riepilogo», terms, «Checkout >>»): every URL × role ×
method, CSRF on every POST, hostile input in every form, out-of-range ids, oversized posts (the
checks: checks.py; the table: routes.py and forms.py)."""

import pytest
from django.urls import reverse

from storefront.tests.factories import UserFactory
from tests.abuse import checks
from tests.abuse.world import rows_of, signed_in

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

# The five checks every area runs (checks.py), on this area's rows of the table.
globals().update(checks.area_tests("catalog_cart"))


def test_a_colleagues_cart_lines_are_not_found_either(world):
    # Carts are per user: another user of the same reseller gets a 404, and nothing changes.
    client = signed_in(UserFactory(reseller=world.alfa.user.reseller))
    before = rows_of(world.alfa)

    response = client.post(
        reverse("checkout:line_set_quantity", kwargs={"line_id": world.alfa.base_line.pk}),
        {"quantity": "9"},
    )

    assert response.status_code == 404
    assert rows_of(world.alfa) == before
