"""The customers area: the reseller's end customers, their tenant and its relationship."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnercenter.lookups import PartnerCenterUnavailableError, partner_center_lookup_allow
from storefront.rows import rows_with_detail_urls
from storefront.scoping import get_scoped_or_404, reseller_scoped
from tenants.forms import CustomerSearchForm
from tenants.models import Customer
from tenants.names import company_names_match
from tenants.selectors import TenantChoice, customer_search
from tenants.services import customer_check_relationship
from tenants.views.relationship import relationship_panel_context

CUSTOMERS_PER_PAGE = 25


@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    form = CustomerSearchForm(request.GET)
    search = form.search_text()
    customers = customer_search(customers=reseller_scoped(Customer, request), search=search)
    page = Paginator(customers, CUSTOMERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "tenants/customer_list.html",
        {
            "form": form,
            "search": search,
            "page": page,
            "customers": rows_with_detail_urls(page.object_list, "tenants:customer_detail"),
        },
    )


@require_GET
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = get_scoped_or_404(Customer, request, pk=pk)
    tenant = TenantChoice.from_customer(customer)
    context = {
        "customer": customer,
        "tenant": tenant,
        "is_company_name_mismatch": bool(customer.partner_center_company_name)
        and not company_names_match(customer.company_name, customer.partner_center_company_name),
    }
    if tenant.is_waiting_for_relationship:
        context.update(
            relationship_panel_context(
                request, domain=customer.tenant_domain, company=customer, contact=customer
            )
        )
    return render(request, "tenants/customer_detail.html", context)


@require_POST
def customer_relationship_check(request: HttpRequest, pk: int) -> HttpResponse:
    """«Verifica relazione» for a customer's existing tenant; back to where it was asked."""
    customer = get_scoped_or_404(Customer, request, pk=pk)
    try:
        partner_center_lookup_allow(request)
        check = customer_check_relationship(customer=customer, interactive=True)
    except PartnerCenterUnavailableError as error:
        messages.error(request, error.message)
    else:
        if check.is_accepted:
            messages.success(
                request,
                _("Relazione verificata: il tenant %(domain)s è collegato al distributore.")
                % {"domain": customer.tenant_domain},
            )
        elif check.state == Customer.RelationshipState.PENDING:
            messages.warning(
                request,
                _(
                    "La relazione con il tenant %(domain)s non risulta ancora accettata: "
                    "l'amministratore globale del cliente deve aprire il link di invito."
                )
                % {"domain": customer.tenant_domain},
            )
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        # Not redirect(): it would take a "next" without "/" or "." for a URL name.
        return HttpResponseRedirect(next_url)
    return redirect("tenants:customer_detail", pk=customer.pk)
