"""The reseller's order pages: list, detail with its timeline, the live «ordine completo» page.

Every page reaches orders only through reseller_scoped / get_scoped_or_404: another reseller's
order is a 404, whatever the URL.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from orders.models import Order, OrderEvent, OrderStatus
from orders.provisioning.relationship import RelationshipOutcome, order_check_relationship
from orders.selectors import order_list as select_orders
from orders.selectors import order_progress, order_timeline, order_totals, order_with_history
from partnercenter.lookups import PartnerCenterBusyError, partner_center_lookup_allow
from storefront.rows import rows_with_detail_urls
from storefront.scoping import get_scoped_or_404, reseller_scoped

ORDERS_PER_PAGE = 25


@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("stato", "")
    orders = select_orders(orders=reseller_scoped(Order, request), status=status)
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("pagina"))
    return render(
        request,
        "orders/order_list.html",
        {
            "page": page,
            "orders": rows_with_detail_urls(page.object_list, "orders:order_detail"),
            "status": status if status in OrderStatus.values else "",
            "statuses": OrderStatus.choices,
        },
    )


@require_GET
@never_cache
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_scoped_or_404(order_with_history(orders=Order.objects.all()), request, pk=pk)
    context = {
        "order": order,
        "progress": order_progress(order=order),
        "totals": order_totals(order=order),
        "timeline": order_timeline(order=order),
    }
    return render(request, "orders/order_detail.html", context)


@require_GET
@never_cache
def order_placed(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_scoped_or_404(Order.objects.select_related("customer"), request, pk=pk)
    return render(
        request,
        "orders/order_placed.html",
        {"order": order, "progress": order_progress(order=order)},
    )


@require_GET
@never_cache
def order_status(request: HttpRequest, pk: int) -> JsonResponse:
    """What the «ordine completo» page polls (static/js/order_progress.js)."""
    order = get_scoped_or_404(Order, request, pk=pk)
    progress = order_progress(order=order)
    # Rendered without the request: the page's context processors (cart badge) are not needed.
    html = render_to_string(
        "orders/_progress.html",
        {"order": order, "progress": progress, "SUPPORT_EMAIL": settings.SUPPORT_EMAIL},
    )
    return JsonResponse({"number": order.number, **progress.as_json(), "html": html})


@require_POST
def order_relationship_check(request: HttpRequest, pk: int) -> HttpResponse:
    """«Verifica relazione» on an order waiting for it: checked now, and resumed at once if the
    customer's administrator has accepted the invitation."""
    order = get_scoped_or_404(Order, request, pk=pk)
    names = {"domain": order.tenant_domain, "number": order.number}
    try:
        partner_center_lookup_allow(request)
    except PartnerCenterBusyError as error:
        # The same limits as every page that asks Partner Center; the order waits on its own.
        messages.error(request, error.message)
        return _back_to_order(request, order)
    outcome = order_check_relationship(
        order_id=order.pk,
        actor=OrderEvent.Actor.RESELLER,
        actor_user=request.user,
        interactive=True,
    )
    if outcome == RelationshipOutcome.RESUMED:
        messages.success(
            request,
            _(
                "Relazione verificata: il tenant %(domain)s l'ha accettata. L'attivazione "
                "dell'ordine %(number)s è ripresa."
            )
            % names,
        )
    elif outcome == RelationshipOutcome.WAITING:
        messages.warning(
            request,
            _(
                "La relazione con il tenant %(domain)s non risulta ancora accettata: "
                "l'amministratore globale del cliente deve aprire il link di invito. L'ordine "
                "%(number)s riprenderà da solo appena accettata."
            )
            % names,
        )
    elif outcome == RelationshipOutcome.UNAVAILABLE:
        messages.error(
            request,
            _(
                "Partner Center non risponde in questo momento: riprova tra qualche minuto. "
                "L'ordine %(number)s riprenderà comunque da solo appena la relazione sarà "
                "accettata."
            )
            % names,
        )
    else:
        messages.info(
            request, _("L'ordine %(number)s non è più in attesa della relazione.") % names
        )
    return _back_to_order(request, order)


def _back_to_order(request: HttpRequest, order: Order) -> HttpResponse:
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(next_url)
    return redirect("orders:order_detail", pk=order.pk)
