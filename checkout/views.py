"""«Carrello»: add to cart, «Riepilogo», quantities, add-ons, terms and «Checkout >>».

Every form posts and redirects (PRG); a refused change re-renders the cart with the error and what
was typed. static/js/cart.js submits the same forms with fetch and swaps the summary in place.
"""

import re
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from catalog.forms import AddToCartForm
from catalog.selectors import PlanOffer, PlanPrice, plan_offer
from checkout.errors import CartError
from checkout.forms import AddonAddForm, CheckoutStartForm, LineQuantityForm
from checkout.models import Cart, CartLine
from checkout.selectors import (
    CartSummaryLine,
    cart_addon_offers,
    cart_find_open,
    cart_summary,
    terms_latest,
)
from checkout.services import (
    cart_add_plan,
    cart_checkout_start,
    cart_line_add_addon,
    cart_line_remove,
    cart_line_set_quantity,
)
from storefront.dates import rome_today
from storefront.scoping import get_scoped_or_404

# ASCII digits only, and too short to overflow the database's bigint.
PLAN_ID_PATTERN = re.compile(r"[0-9]{1,18}")
CHECKOUT_FIELD_BY_ERROR = {
    "terms_required": "terms_accepted",
    "terms_outdated": "terms_accepted",
    "terms_unavailable": "terms_accepted",
    "purchase_type_invalid": "purchase_type",
}


@dataclass(frozen=True)
class CartRow:
    """A base line of the «Riepilogo» with the add-ons that can still be added to it."""

    line: CartSummaryLine
    addon_offers: list[PlanPrice]


@require_GET
def cart_detail(request: HttpRequest) -> HttpResponse:
    return _render_cart(request)


@require_POST
def cart_add(request: HttpRequest) -> HttpResponse:
    """The product page's «Aggiungi al carrello» (catalog.forms.AddToCartForm)."""
    offer = _posted_offer(request)
    if offer is None:
        messages.error(
            request, _("Il piano scelto non è più in vendita: scegline un altro dal catalogo.")
        )
        return redirect("catalog:index")
    form = AddToCartForm(request.POST, offer=offer)
    if form.is_valid():
        try:
            line = cart_add_plan(
                user=request.user,
                plan_id=form.cleaned_data["plan"].pk,
                quantity=form.cleaned_data["quantity"],
                addon_quantities={
                    addon.plan.pk: addon.quantity for addon in form.cleaned_data["addons"]
                },
            )
        except CartError as error:
            form.add_error(None, error.message)
        else:
            return redirect("checkout:cart_added", line_id=line.pk)
    context = {"form": form, "offer": offer}
    return render(request, "checkout/cart_add.html", context)


@require_GET
def cart_added(request: HttpRequest, line_id: int) -> HttpResponse:
    """«Vai al carrello» or «Acquista altro», after adding a plan."""
    line = get_scoped_or_404(_own_open_lines(request), request, pk=line_id, base_line=None)
    summary = cart_summary(cart=line.cart, reseller=request.user.reseller, today=rome_today())
    added = next(summary_line for summary_line in summary.lines if summary_line.line_id == line.pk)
    return render(request, "checkout/cart_added.html", {"line": added, "summary": summary})


@require_POST
def line_set_quantity(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_scoped_or_404(_own_open_lines(request), request, pk=line_id)
    form = LineQuantityForm(request.POST)
    if form.is_valid():
        try:
            cart_line_set_quantity(
                user=request.user, line_id=line.pk, quantity=form.cleaned_data["quantity"]
            )
        except CartError as error:
            _raise_404_for_missing_line(error)
            form.add_error("quantity", error.message)
        else:
            return redirect("checkout:cart")
    return _render_cart(request, quantity_form=form, form_line_id=line.pk)


@require_POST
def line_remove(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_scoped_or_404(_own_open_lines(request), request, pk=line_id)
    try:
        cart_line_remove(user=request.user, line_id=line.pk)
    except CartError as error:  # only "line_not_found": removed meanwhile from another tab
        raise Http404(error.message) from error
    return redirect("checkout:cart")


@require_POST
def line_add_addon(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_scoped_or_404(_own_open_lines(request), request, pk=line_id)
    form = AddonAddForm(request.POST, base_quantity=line.quantity)
    if form.is_valid():
        try:
            cart_line_add_addon(
                user=request.user,
                base_line_id=line.pk,
                plan_id=form.cleaned_data["plan"],
                quantity=form.cleaned_data["quantity"],
            )
        except CartError as error:
            _raise_404_for_missing_line(error)
            form.add_error(None, error.message)
        else:
            return redirect("checkout:cart")
    return _render_cart(request, addon_form=form, form_line_id=line.pk)


@require_POST
def checkout_start(request: HttpRequest) -> HttpResponse:
    """«Checkout >>»: the terms are checked here, on the server, whatever the browser sent."""
    form = CheckoutStartForm(request.POST)
    if form.is_valid():
        try:
            cart_checkout_start(
                user=request.user,
                terms_accepted=form.cleaned_data["terms_accepted"],
                terms_version_id=form.cleaned_data["terms_version"],
                purchase_type=form.cleaned_data["purchase_type"],
                ip_address=request.META.get("REMOTE_ADDR"),
            )
        except CartError as error:
            form.add_error(CHECKOUT_FIELD_BY_ERROR.get(error.code), error.message)
        else:
            return redirect("purchase:customer")
    return _render_cart(request, checkout_form=form)


@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "checkout/terms.html", {"terms": terms_latest()})


def _render_cart(
    request: HttpRequest,
    *,
    quantity_form: LineQuantityForm | None = None,
    addon_form: AddonAddForm | None = None,
    form_line_id: int | None = None,
    checkout_form: CheckoutStartForm | None = None,
) -> HttpResponse:
    """The cart page; a refused form is shown, with what was typed, on the line it was for."""
    reseller = request.user.reseller
    today = rome_today()
    cart = cart_find_open(user=request.user)
    summary = cart_summary(cart=cart, reseller=reseller, today=today)
    addon_offers = cart_addon_offers(summary=summary, reseller=reseller, today=today)
    terms_version = terms_latest()
    if checkout_form is None:
        checkout_form = CheckoutStartForm(
            initial={
                "purchase_type": (cart and cart.purchase_type) or Cart.PurchaseType.RESALE,
            }
        )
    context = {
        "summary": summary,
        "rows": [CartRow(line, addon_offers.get(line.line_id, [])) for line in summary.lines],
        "terms_version": terms_version,
        "checkout_form": checkout_form,
        "quantity_form": quantity_form,
        "addon_form": addon_form,
        "form_line_id": form_line_id,
    }
    return render(request, "checkout/cart.html", context)


def _own_open_lines(request: HttpRequest):
    """Lines of the signed-in user's open cart; scoping adds the reseller, so others get 404."""
    return CartLine.objects.filter(cart__user=request.user, cart__status=Cart.Status.OPEN)


def _posted_offer(request: HttpRequest) -> PlanOffer | None:
    plan_id = request.POST.get("plan", "").strip()
    if not PLAN_ID_PATTERN.fullmatch(plan_id):
        return None
    return plan_offer(plan_id=int(plan_id), reseller=request.user.reseller, on_date=rome_today())


def _raise_404_for_missing_line(error: CartError) -> None:
    """The line vanished between the page and the post (another tab): as if it never existed."""
    if error.code == "line_not_found":
        raise Http404(error.message)
