"""The change form as the page posts it, and what the sandbox holds."""

import uuid

from django.urls import reverse

from partnercenter.tests.helpers import client_for
from subscriptions.models import Subscription


def change_url(name: str, subscription: Subscription) -> str:
    return reverse(f"subscriptions:{name}", kwargs={"pk": subscription.pk})


def confirm(client, capture, name: str, subscription: Subscription, **fields):
    """Post the change form as the page does, running what it queued after commit."""
    data = {"idempotency_key": str(uuid.uuid4()), "action": "confirm", **fields}
    with capture(execute=True):
        return client.post(change_url(name, subscription), data)


def remote_of(pc_sandbox, subscription: Subscription):
    with client_for(pc_sandbox) as client:
        return client.get_subscription(
            subscription.partner_center_customer_id, subscription.partner_center_id
        )


def patches(pc_sandbox) -> list[dict]:
    return pc_sandbox.control.calls(method="PATCH")
