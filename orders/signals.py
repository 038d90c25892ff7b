"""What orders tell the apps above them, without importing them.

``order_activated`` is sent once the transaction that made an order active has committed
(``order_id``); the subscriptions app mirrors the order's subscriptions on it.
"""

from django.dispatch import Signal

order_activated = Signal()
