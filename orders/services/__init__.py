"""Writes of orders. Placement and the state machine are imported from here; staff actions
(staff.py) and the sweeper (sweeping.py) by their module, as they reach provisioning."""

from orders.services.placement import order_place
from orders.services.status import Failure, order_set_status

__all__ = ["Failure", "order_place", "order_set_status"]
