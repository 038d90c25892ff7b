"""The client fixtures of partnercenter/tests, for the tests that read the sandbox through it."""

from partnercenter.tests.conftest import contoso_id, pc_client

__all__ = ["contoso_id", "pc_client"]
