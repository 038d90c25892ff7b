"""Fixtures of the client's tests (helpers.py has the plain functions)."""

import pytest

from partnercenter.tests.helpers import client_for
from partnercenter_sandbox import demo


@pytest.fixture
def pc_client(pc_sandbox):
    with client_for(pc_sandbox) as client:
        yield client


@pytest.fixture
def contoso_id() -> str:
    """A customer with an accepted relationship and an accepted MCA: it can buy at once."""
    return demo.CONTOSO_TENANT_ID
