"""Plain helpers of the cart's tests: add a plan, a cart's state, «Checkout >>» with the terms."""

from checkout.models import Cart, CartLine
from checkout.services import cart_add_plan, cart_checkout_start


def add(user, plan, quantity=5, addons=None) -> CartLine:
    return cart_add_plan(
        user=user, plan_id=plan.pk, quantity=quantity, addon_quantities=addons or {}
    )


def cart_state() -> list[tuple]:
    """Every cart and line as it is now, to prove a refused request changed nothing."""
    return [
        *Cart.objects.order_by("pk").values_list(
            "pk", "status", "checkout_started_at", "terms_acceptance", "purchase_type"
        ),
        *CartLine.objects.order_by("pk").values_list("pk", "cart", "plan", "quantity", "base_line"),
    ]


def start_checkout(user, terms, **overrides):
    arguments = {
        "user": user,
        "terms_accepted": True,
        "terms_version_id": terms.pk,
        "purchase_type": Cart.PurchaseType.RESALE,
        "ip_address": "203.0.113.7",
    }
    return cart_checkout_start(**{**arguments, **overrides})
