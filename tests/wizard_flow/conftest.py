"""Fixtures of the wizard's tests (their folder only): a signed-in reseller and its cart, ready for
the wizard."""

import pytest

from tenants.tests.factories import VALID_RESELLER_TENANT_ID, checkout_ready_cart, reseller_user


@pytest.fixture
def user(client):
    # The sandbox's demo reseller, its tenant id known: contosoitalia is its customer.
    user = reseller_user(partner_center_tenant_id=VALID_RESELLER_TENANT_ID)
    client.force_login(user)
    return user


@pytest.fixture
def cart(user):
    return checkout_ready_cart(user=user)
