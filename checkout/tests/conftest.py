"""Fixtures of the cart's tests (their folder only; helpers.py has the plain functions)."""

import pytest

from checkout.tests.factories import business_standard_with_archiving, reseller_user


@pytest.fixture
def user():
    return reseller_user()


@pytest.fixture
def plans():
    return business_standard_with_archiving()


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client
