"""The provisioning steps, one module per Partner Center resource, run in the order of
``runner.STEPS`` (orders/provisioning/README.md has the table).

Each step is idempotent: it returns at once when its outcome is already recorded on the order, so
a run after a crash or a retry resumes where the last one left. A step returns None when done, or
the seconds to wait before looking again. It raises StepFailed, AwaitingRelationship, or lets a
Partner Center error through for the runner to classify.
"""

from orders.provisioning.steps.carts import step_ensure_cart, step_submit_cart
from orders.provisioning.steps.customers import (
    step_ensure_agreement,
    step_ensure_customer,
    step_validate_mpn,
)
from orders.provisioning.steps.subscriptions import step_await_activation

__all__ = [
    "step_await_activation",
    "step_ensure_agreement",
    "step_ensure_cart",
    "step_ensure_customer",
    "step_submit_cart",
    "step_validate_mpn",
]
