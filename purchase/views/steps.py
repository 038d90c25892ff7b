"""The steps «Cliente», «Azienda», «Partner» and «Conferma» of the purchase wizard."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from checkout.models import Cart
from checkout.selectors import cart_summary
from orders.errors import OrderPlacementError
from partnercenter.lookups import (
    PartnerCenterUnavailableError,
    partner_center_lookup_allow,
    with_retry_after,
)
from purchase.errors import PurchaseIncompleteError, PurchaseNotReadyError
from purchase.forms import (
    COMPANY_FIELDS,
    CompanyForm,
    CustomerChoiceForm,
    PartnerForm,
    raw_step_values,
)
from purchase.models import PurchaseDraft
from purchase.selectors import WizardStep
from purchase.services import (
    purchase_draft_choose_customer,
    purchase_draft_save_company,
    purchase_draft_save_mpn,
    purchase_place_order,
)
from purchase.views.base import (
    ACTION_BACK,
    Wizard,
    order_of_posted_checkout,
    posted_action,
    redirect_to_step,
    render_step,
    wizard_step,
)
from resellers.services import reseller_recheck_mpn_before_order, reseller_validate_mpn
from storefront.dates import rome_today
from storefront.scoping import reseller_scoped
from tenants.models import Customer
from tenants.services import customer_check_relationship
from tenants.views.relationship import relationship_panel_context

# --- Cliente ------------------------------------------------------------------------------------


@wizard_step(WizardStep.CUSTOMER)
def purchase_customer(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    """«per un nuovo cliente» or «per un cliente esistente» (one of this reseller's)."""
    customers = reseller_scoped(Customer, request).order_by("company_name", "pk")
    draft = wizard.draft
    form = CustomerChoiceForm(
        request.POST or None,
        customers=customers,
        initial={
            "choice": draft.customer_choice or PurchaseDraft.CustomerChoice.NEW,
            "customer": draft.existing_customer_id,
        },
    )
    if request.method == "POST" and form.is_valid():
        customer = form.cleaned_data["customer"]
        choice = form.cleaned_data["choice"]
        purchase_draft_choose_customer(draft=draft, choice=choice, customer=customer)
        if choice == PurchaseDraft.CustomerChoice.NEW:
            return redirect_to_step(WizardStep.COMPANY)
        _recheck_relationship(request, customer)
        return redirect_to_step(WizardStep.PARTNER)
    return render_step(
        request, WizardStep.CUSTOMER, wizard, {"form": form, "has_customers": customers.exists()}
    )


def _recheck_relationship(request: HttpRequest, customer: Customer) -> None:
    """An existing tenant's relationship may have changed since it was last seen: ask again."""
    if customer.tenant_kind != Customer.TenantKind.EXISTING:
        return
    try:
        partner_center_lookup_allow(request)
        customer_check_relationship(customer=customer, interactive=True)
    except PartnerCenterUnavailableError:  # or too many lookups now: the worker checks anyway
        messages.warning(
            request,
            _(
                "Non è stato possibile verificare ora la relazione con il tenant %(domain)s: "
                "Partner Center non risponde. Verrà verificata di nuovo prima dell'attivazione."
            )
            % {"domain": customer.tenant_domain},
        )


# --- Azienda ------------------------------------------------------------------------------------


def _company_initial(request: HttpRequest, wizard: Wizard) -> dict:
    if wizard.state.company_values:
        return wizard.state.company_values
    if wizard.cart.purchase_type == Cart.PurchaseType.INTERNAL:
        reseller = request.user.reseller
        return {"company_name": reseller.company_name, "vat_number": reseller.vat_number}
    return {}


@wizard_step(WizardStep.COMPANY)
def purchase_company(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    if request.method == "POST":
        form = CompanyForm(request.POST)
        is_valid = form.is_valid()
        values = (
            {name: form.cleaned_data[name] for name in COMPANY_FIELDS}
            if is_valid
            else raw_step_values(request.POST, COMPANY_FIELDS)
        )
        purchase_draft_save_company(draft=wizard.draft, values=values, is_complete=is_valid)
        if posted_action(request) == ACTION_BACK:
            return redirect_to_step(WizardStep.CUSTOMER)
        if is_valid:
            return redirect_to_step(WizardStep.TENANT)
    else:
        form = CompanyForm(initial=_company_initial(request, wizard))
    return render_step(request, WizardStep.COMPANY, wizard, {"form": form})


# --- Partner ------------------------------------------------------------------------------------


@wizard_step(WizardStep.PARTNER)
def purchase_partner(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    """The reseller's MPN ID, validated against Partner Center before the order
    (docs/product.md#mpn-id-validation).

    Only the MPN ID the distributor registered on the reseller's profile is accepted; it is
    filled in. A reseller without one is told to ask the distributor.
    """
    state = wizard.state
    profile_mpn_id = request.user.reseller.mpn_id
    if request.method != "POST":
        form = PartnerForm(initial={"mpn_id": profile_mpn_id or state.typed_mpn_id})
        return render_step(
            request, WizardStep.PARTNER, wizard, {"form": form, "profile_mpn_id": profile_mpn_id}
        )

    form = PartnerForm(request.POST)
    action = posted_action(request)
    if not form.is_valid():
        purchase_draft_save_mpn(draft=wizard.draft, mpn_id=request.POST.get("mpn_id", "")[:32])
        if action == ACTION_BACK:
            return redirect_to_step(state.previous_step(WizardStep.PARTNER))
        return render_step(
            request,
            WizardStep.PARTNER,
            wizard,
            {"form": form, "mpn_refused": True, "profile_mpn_id": profile_mpn_id},
        )

    mpn_id = form.cleaned_data["mpn_id"]
    if action == ACTION_BACK:
        purchase_draft_save_mpn(draft=wizard.draft, mpn_id=mpn_id)
        return redirect_to_step(state.previous_step(WizardStep.PARTNER))
    try:
        partner_center_lookup_allow(request)
        validation = reseller_validate_mpn(
            reseller=request.user.reseller, mpn_id=mpn_id, interactive=True
        )
    except PartnerCenterUnavailableError as error:
        purchase_draft_save_mpn(draft=wizard.draft, mpn_id=mpn_id)
        form.add_error(None, error.message)
        return with_retry_after(
            render_step(
                request,
                WizardStep.PARTNER,
                wizard,
                {"form": form, "profile_mpn_id": profile_mpn_id},
            ),
            error,
        )
    purchase_draft_save_mpn(draft=wizard.draft, mpn_id=mpn_id, validation=validation)
    if validation.is_valid:
        return redirect_to_step(WizardStep.CONFIRM)
    form.add_error("mpn_id", validation.message)
    return render_step(
        request,
        WizardStep.PARTNER,
        wizard,
        {
            "form": form,
            "mpn_refused": True,
            "mpn_refusal_code": validation.code,
            "profile_mpn_id": profile_mpn_id,
        },
    )


# --- Conferma -----------------------------------------------------------------------------------


@wizard_step(WizardStep.CONFIRM)
def purchase_confirm(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    """The summary; «Prossimo >>» places the order, once, whatever is submitted twice."""
    if request.method == "POST":
        if posted_action(request) == ACTION_BACK:
            return redirect_to_step(WizardStep.PARTNER)
        refusal = _mpn_refusal_before_order(request, wizard)
        if refusal is not None:
            return refusal
        try:
            order = purchase_place_order(draft=wizard.draft, user=request.user)
        except PurchaseIncompleteError as error:
            messages.warning(request, error.message)
            return redirect_to_step(error.step)
        except PurchaseNotReadyError as error:
            order = order_of_posted_checkout(request)
            if order is None:
                messages.warning(request, error.message)
                return redirect("checkout:cart")
        except OrderPlacementError as error:
            return _render_confirm(request, wizard, placement_error=error.message)
        return redirect("orders:order_placed", pk=order.pk)
    return _render_confirm(request, wizard)


def _mpn_refusal_before_order(request: HttpRequest, wizard: Wizard) -> HttpResponse | None:
    """Back to «Partner», saying why, when the MPN ID was deactivated since it was validated."""
    mpn_id = wizard.state.validated_mpn_id
    if not mpn_id:
        return None  # purchase_place_order sends the reseller to the step still to do
    refusal = reseller_recheck_mpn_before_order(reseller=request.user.reseller, mpn_id=mpn_id)
    if refusal is None:
        return None
    purchase_draft_save_mpn(draft=wizard.draft, mpn_id=mpn_id, validation=refusal)
    messages.error(
        request,
        _("L'ordine non è stato inviato: %(reason)s") % {"reason": refusal.message},
    )
    return redirect_to_step(WizardStep.PARTNER)


def _render_confirm(request: HttpRequest, wizard: Wizard, placement_error: str = ""):
    state = wizard.state
    summary = cart_summary(cart=wizard.cart, reseller=request.user.reseller, today=rome_today())
    context = {"summary": summary, "tenant": state.tenant, "placement_error": placement_error}
    tenant = state.tenant
    if tenant is not None and tenant.is_waiting_for_relationship:
        contact = state.existing_customer or state.company_values
        context.update(
            relationship_panel_context(
                request, domain=tenant.domain, company=contact, contact=contact
            )
        )
    return render_step(request, WizardStep.CONFIRM, wizard, context)
