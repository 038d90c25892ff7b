"""``{% customer_subscriptions customer %}``: the customer page's own list of subscriptions.

A tag, so that tenants (below this app) shows them without importing it. One query.
"""

from django import template

from subscriptions.models import Subscription

register = template.Library()
SHOWN = 50


@register.inclusion_tag("subscriptions/_customer_subscriptions.html")
def customer_subscriptions(customer) -> dict:
    rows = list(
        Subscription.objects.filter(customer=customer, reseller_id=customer.reseller_id)
        .select_related("parent")
        .order_by("title", "pk")[: SHOWN + 1]
    )
    return {"customer": customer, "subscriptions": rows[:SHOWN], "has_more": len(rows) > SHOWN}
