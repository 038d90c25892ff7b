"""Orders of one SKU (Business Basic unless told) for the upgrade tests, provisioned
in-process against the sandbox."""

from checkout.services import cart_add_plan, cart_checkout_start
from checkout.tests.factories import TermsVersionFactory
from orders.models import Order
from orders.services import order_place
from orders.tasks import order_provision_task
from orders.tests.factories import BUSINESS_BASIC, contoso_customer, order_user, sandbox_plan


def basic_order(
    capture, *, user=None, customer=None, quantity: int = 10, offer=BUSINESS_BASIC
) -> Order:
    """Contoso's active order of ``quantity`` Business Basic (or ``offer``; P1Y, monthly),
    mirrored."""
    order = basic_placed_order(user=user, customer=customer, quantity=quantity, offer=offer)
    with capture(execute=True):
        order_provision_task.delay(order.pk)
    order.refresh_from_db()
    return order


def basic_placed_order(
    *, user=None, customer=None, quantity: int = 10, offer=BUSINESS_BASIC
) -> Order:
    """The same order placed only: a worker provisions it once the test commits."""
    user = user or order_user()
    customer = customer or contoso_customer(reseller=user.reseller)
    plan = sandbox_plan(offer)
    cart_add_plan(user=user, plan_id=plan.pk, quantity=quantity, addon_quantities={})
    cart = cart_checkout_start(
        user=user,
        terms_accepted=True,
        terms_version_id=TermsVersionFactory().pk,
        purchase_type="resale",
        ip_address="127.0.0.1",
    )
    return order_place(cart=cart, user=user, customer=customer, mpn_id=user.reseller.mpn_id)
