"""What every step of the purchase wizard shares: the cart and draft it works on, the guard that
sends the user to the cart or to the first step still to do, and the page layout."""

import uuid
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from checkout.errors import CartError
from checkout.models import Cart
from checkout.selectors import cart_get_for_checkout
from orders.models import Order
from purchase.errors import PurchaseNotReadyError
from purchase.models import PurchaseDraft
from purchase.selectors import WizardState, WizardStep, purchase_wizard_state
from purchase.services import purchase_draft_get_or_create
from storefront.scoping import reseller_scoped

STEP_URL_NAMES = {
    WizardStep.CUSTOMER: "purchase:customer",
    WizardStep.COMPANY: "purchase:company",
    WizardStep.TENANT: "purchase:tenant",
    WizardStep.PARTNER: "purchase:partner",
    WizardStep.CONFIRM: "purchase:confirm",
}
ACTION_BACK = "back"
ACTION_VERIFY = "verify"


@dataclass
class Wizard:
    """What a step view gets: the cart being bought, its draft, and the draft read as state."""

    cart: Cart
    draft: PurchaseDraft
    state: WizardState


def redirect_to_step(step: WizardStep) -> HttpResponse:
    return redirect(STEP_URL_NAMES[step])


def order_of_posted_checkout(request: HttpRequest) -> Order | None:
    """The order already placed from the cart whose checkout_token the confirmation posted."""
    try:
        token = uuid.UUID(request.POST.get("checkout_token", ""))
    except ValueError:
        return None
    return reseller_scoped(Order, request).filter(cart__checkout_token=token).first()


def _order_placed_meanwhile(request: HttpRequest, step: WizardStep) -> Order | None:
    if step == WizardStep.CONFIRM and request.method == "POST":
        return order_of_posted_checkout(request)
    return None


def wizard_step(step: WizardStep):
    """Load the cart and its draft; send the user back to the cart, or to the first step still
    to do, when this step cannot be shown."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest) -> HttpResponse:
            try:
                cart = cart_get_for_checkout(user=request.user)
            except CartError as error:
                order = _order_placed_meanwhile(request, step)
                if order is not None:  # a second submit, a reload or another tab
                    return redirect("orders:order_placed", pk=order.pk)
                messages.warning(request, error.message)
                return redirect("checkout:cart")
            if not cart.lines.exists():
                messages.warning(
                    request, _("Il carrello è vuoto: aggiungi un prodotto prima di procedere.")
                )
                return redirect("checkout:cart")
            draft = purchase_draft_get_or_create(cart=cart)
            state = purchase_wizard_state(draft=draft)
            if not state.can_open(step):
                # Another tab placed the order (and dropped the draft) after this request read
                # the cart: lead to that order rather than to a wizard started anew.
                order = _order_placed_meanwhile(request, step)
                if order is not None:
                    return redirect("orders:order_placed", pk=order.pk)
                return redirect_to_step(state.first_step_to_do())
            try:
                return view(request, Wizard(cart=cart, draft=draft, state=state))
            except PurchaseNotReadyError as error:
                # Another tab placed the order after this request loaded the draft.
                order = reseller_scoped(Order, request).filter(cart=cart).first()
                if order is not None:
                    return redirect("orders:order_placed", pk=order.pk)
                messages.warning(request, error.message)
                return redirect("checkout:cart")

        return require_http_methods(["GET", "POST"])(wrapper)

    return decorator


def render_step(
    request: HttpRequest, step: WizardStep, wizard: Wizard, context: dict
) -> HttpResponse:
    state = wizard.state
    steps = [
        {
            "key": key,
            "label": WizardStep(key).label,
            "url_name": STEP_URL_NAMES[key],
            "is_current": key == step,
            "is_reachable": state.can_open(key),
        }
        for key in state.steps
    ]
    return render(
        request,
        f"purchase/{step}.html",
        {
            "step": step,
            "steps": steps,
            "state": state,
            "cart": wizard.cart,
            "MICROSOFT_PARTNER_SITE_URL": settings.MICROSOFT_PARTNER_SITE_URL,
            **context,
        },
    )


def posted_action(request: HttpRequest) -> str:
    return request.POST.get("action", "") if request.method == "POST" else ""
