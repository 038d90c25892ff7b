"""Provisioning an order through Partner Center: the steps (steps/, one module per Partner Center
resource, and emails.py), the run and its retry policy (runner.py), the short guarded writes and
request ids (recording.py), orders waiting for a reseller relationship (relationship.py).

orders/provisioning/README.md has the step order, the field each step skips on, the five
concurrency guards with a sequence diagram, the sweeper, staff retry and the idempotency keys.
"""

from orders.provisioning.runner import order_provision

__all__ = ["order_provision"]
