"""Fixtures of the subscription flow's tests (their folder only): after-commit callbacks run on
demand, and an active order bought with its buyer signed in."""

import pytest
from django.core import mail

from subscriptions.tests.factories import active_order


@pytest.fixture
def capture(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


@pytest.fixture
def bought(pc_sandbox, capture, client):
    """Contoso's active order of 5 Business Standard (and 2 Archiving unless asked otherwise),
    the buyer signed in, the e-mails of provisioning forgotten."""

    def buy(**options):
        order = active_order(capture, **options)
        client.force_login(order.user)
        mail.outbox.clear()
        pc_sandbox.control.clear_calls()
        return order

    return buy
