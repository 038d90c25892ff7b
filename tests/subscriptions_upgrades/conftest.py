"""Fixtures of the upgrade tests (their folder only): after-commit callbacks run on demand, and a
sign-in as an order's buyer."""

import pytest
from django.core import mail


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def signed_in(client):
    def sign_in(order):
        client.force_login(order.user)
        mail.outbox.clear()
        return order

    return sign_in
