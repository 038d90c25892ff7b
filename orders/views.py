"""The reseller's order pages: list, detail with its timeline, the live «ordine completo» page.

Every page reaches orders only through reseller_scoped / get_scoped_or_404: another reseller's
order is a 404, whatever the URL.
"""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from orders.models import Order, OrderStatus
from orders.selectors import order_list as select_orders
from orders.selectors import order_progress, order_timeline, order_totals, order_with_history
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
            "status": status if status in OrderStatus.values else "",
            "statuses": OrderStatus.choices,
        },
    )


@require_GET
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
