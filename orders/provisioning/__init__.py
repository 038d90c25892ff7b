"""Provisioning an order through Partner Center: steps (steps.py, emails.py), the run and its
retry policy (runner.py), orders waiting for a reseller relationship (relationship.py)."""

from orders.provisioning.runner import order_provision

__all__ = ["order_provision"]
