"""Catalog pages: «Catalogo» and a product's «Visualizza i piani».

The product page's «Aggiungi al carrello» forms post to ``checkout:cart_add``.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from catalog.forms import AddToCartForm
from catalog.models import Product
from catalog.selectors import catalog_page, product_page
from storefront.dates import rome_today

SEARCH_MAX_LENGTH = 100
# PostgreSQL cannot compare text holding NUL: such a search or product id would be a 500.
NUL = "\x00"


@require_GET
def catalog_index(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:SEARCH_MAX_LENGTH].replace(NUL, "").strip()
    catalog = catalog_page(
        reseller=request.user.reseller,
        on_date=rome_today(),
        search=search,
        page_number=request.GET.get("pagina"),
    )
    return render(
        request,
        "catalog/index.html",
        {"families": catalog.families, "page": catalog.page, "search": search},
    )


@require_GET
def product_detail(request: HttpRequest, product_id: str) -> HttpResponse:
    if NUL in product_id:
        raise Http404
    product = get_object_or_404(Product, product_id=product_id)
    return _render_product(request, product)


def _render_product(request: HttpRequest, product: Product) -> HttpResponse:
    """The product page, every plan with its (unbound) «Aggiungi al carrello» form."""
    page = product_page(product=product, reseller=request.user.reseller, on_date=rome_today())
    sku_rows = [
        (sku_offer, [(offer, AddToCartForm(offer=offer)) for offer in sku_offer.offers])
        for sku_offer in page.skus
    ]
    return render(request, "catalog/product.html", {"product": product, "sku_rows": sku_rows})
