"""Offers, the upgrade page and forms as the reseller uses them, and what the sandbox holds."""

import uuid

from django.urls import reverse

from partnercenter.tests.helpers import client_for
from subscriptions.models import Subscription

BUSINESS_STANDARD_OFFER = "CFQ7TTC0LDPB:0001"
BUSINESS_PREMIUM_OFFER = "CFQ7TTC0LCHC:0002"


def url(name: str, subscription: Subscription) -> str:
    return reverse(f"subscriptions:{name}", kwargs={"pk": subscription.pk})


def upgrade_page(client, capture, subscription: Subscription) -> str:
    """Open the upgrade page as the reseller does: the first look has a worker ask Partner
    Center for the targets, the reload shows them."""
    with capture(execute=True):
        first = client.get(url("upgrade", subscription))
    assert "Stiamo chiedendo a Microsoft" in first.content.decode()
    return client.get(url("upgrade", subscription)).content.decode()


def confirm(client, capture, name: str, subscription: Subscription, **fields):
    data = {"idempotency_key": str(uuid.uuid4()), "action": "confirm", **fields}
    with capture(execute=True):
        return client.post(url(name, subscription), data)


def remote_of(pc_sandbox, partner_center_customer_id: str, partner_center_id: str):
    with client_for(pc_sandbox) as client:
        return client.get_subscription(partner_center_customer_id, partner_center_id)


def transition_posts(pc_sandbox) -> list[dict]:
    return [
        call
        for call in pc_sandbox.control.calls(method="POST")
        if call["path"].endswith("/transitions")
    ]
