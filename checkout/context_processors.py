from checkout.models import Cart, CartLine


def cart(request) -> dict[str, int]:
    """The number of lines in the signed-in reseller user's open cart, for the navigation bar."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.reseller_id is None:
        return {"cart_line_count": 0}
    count = CartLine.objects.filter(cart__user=user, cart__status=Cart.Status.OPEN).count()
    return {"cart_line_count": count}
