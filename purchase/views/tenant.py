"""The «Tenant» step: the «Domain Prefix», its live check and the guide's branches A and B."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partnercenter.lookups import (
    PartnerCenterBusyError,
    PartnerCenterUnavailableError,
    partner_center_lookup_allow,
    with_retry_after,
)
from purchase.forms import TenantForm
from purchase.selectors import WizardStep, purchase_wizard_state
from purchase.services import purchase_draft_record_prefix_check, purchase_draft_save_prefix
from purchase.views.base import (
    ACTION_BACK,
    ACTION_VERIFY,
    Wizard,
    posted_action,
    redirect_to_step,
    render_step,
    wizard_step,
)
from storefront.ratelimits import limited
from tenants.errors import DomainPrefixInvalidError
from tenants.names import normalise_domain_prefix
from tenants.services import PrefixCheck, PrefixCheckOutcome, tenant_check_prefix
from tenants.views.relationship import relationship_panel_context


def prefix_status_message(*, status: PrefixCheckOutcome, domain: str) -> str:
    """What a «Domain Prefix» check means, for the page and for the live check."""
    messages_by_status = {
        PrefixCheckOutcome.FREE: _(
            "%(domain)s è libero: verrà creato un nuovo tenant con questo prefisso (caso B)."
        ),
        PrefixCheckOutcome.TAKEN_RELATED: _(
            "%(domain)s è un tenant esistente, già collegato a te e al distributore (caso A): "
            "si può procedere."
        ),
        PrefixCheckOutcome.TAKEN_UNRELATED: _(
            "%(domain)s è un tenant esistente, non ancora collegato a te e al distributore "
            "(caso A): l'amministratore globale del cliente deve accettare l'invito. Premi "
            "«Prossimo >>» per il link di invito."
        ),
    }
    return messages_by_status[status] % {"domain": domain}


@wizard_step(WizardStep.TENANT)
def purchase_tenant(request: HttpRequest, wizard: Wizard) -> HttpResponse:
    """«Domain Prefix»: free → branch B; taken → branch A, with the relationship to accept."""
    if request.method != "POST":
        form = TenantForm(initial={"tenant_domain_prefix": wizard.state.typed_prefix})
        return _render_tenant(request, wizard, form)

    form = TenantForm(request.POST)
    action = posted_action(request)
    if not form.is_valid():
        purchase_draft_save_prefix(
            draft=wizard.draft, prefix=request.POST.get("tenant_domain_prefix", "")[:100]
        )
        if action == ACTION_BACK:
            return redirect_to_step(WizardStep.COMPANY)
        return _render_tenant(request, wizard, form)

    prefix = form.cleaned_data["tenant_domain_prefix"]
    previous = wizard.state.checked_tenant
    if action == ACTION_BACK:
        purchase_draft_save_prefix(draft=wizard.draft, prefix=prefix)
        return redirect_to_step(WizardStep.COMPANY)
    try:
        partner_center_lookup_allow(request)
        check = tenant_check_prefix(
            prefix=prefix,
            reseller=request.user.reseller,
            interactive=True,
            # «Verifica relazione» is asked because the answer may have just changed.
            use_cache=action != ACTION_VERIFY,
        )
    except PartnerCenterUnavailableError as error:
        purchase_draft_save_prefix(draft=wizard.draft, prefix=prefix)
        form.add_error(None, error.message)
        return with_retry_after(_render_tenant(request, wizard, form), error)
    purchase_draft_record_prefix_check(draft=wizard.draft, check=check)

    if action == ACTION_VERIFY:
        _say_relationship_outcome(request, check)
        return redirect_to_step(WizardStep.TENANT)
    instructions_seen = (
        previous is not None and previous.prefix == prefix and previous.is_waiting_for_relationship
    )
    if check.status == PrefixCheckOutcome.TAKEN_UNRELATED and not instructions_seen:
        # Branch A: the page now shows the invitation; «Prossimo >>» again goes on without it.
        return redirect_to_step(WizardStep.TENANT)
    return redirect_to_step(WizardStep.PARTNER)


def _say_relationship_outcome(request: HttpRequest, check: PrefixCheck) -> None:
    if check.is_relationship_accepted:
        messages.success(
            request,
            _("Relazione verificata: il tenant %(domain)s è collegato al distributore.")
            % {"domain": check.domain},
        )
    elif check.is_taken:
        messages.warning(
            request,
            _(
                "La relazione con il tenant %(domain)s non risulta ancora accettata: "
                "l'amministratore globale del cliente deve aprire il link di invito."
            )
            % {"domain": check.domain},
        )
    else:
        messages.info(request, prefix_status_message(status=check.status, domain=check.domain))


def _render_tenant(request: HttpRequest, wizard: Wizard, form: TenantForm) -> HttpResponse:
    # After a POST the draft holds what was just typed; the page shows that.
    state = wizard.state = purchase_wizard_state(draft=wizard.draft)
    tenant = state.checked_tenant
    context = {"form": form, "tenant": tenant}
    if tenant is not None and tenant.is_waiting_for_relationship:
        context.update(
            relationship_panel_context(
                request,
                domain=tenant.domain,
                company=state.company_values,
                contact=state.company_values,
            )
        )
    return render_step(request, WizardStep.TENANT, wizard, context)


@require_GET
def prefix_check(request: HttpRequest) -> JsonResponse:
    """The live «Domain Prefix» check of wizard.js: {"status", "message", "prefix", "domain"}."""
    try:
        prefix = normalise_domain_prefix(request.GET.get("prefix", "")[:100])
        partner_center_lookup_allow(request)
        check = tenant_check_prefix(
            prefix=prefix, reseller=request.user.reseller, interactive=True, use_cache=True
        )
    except DomainPrefixInvalidError as error:
        return JsonResponse({"status": PrefixCheckOutcome.INVALID, "message": str(error.message)})
    except PartnerCenterBusyError as error:
        return limited(
            JsonResponse({"status": PrefixCheckOutcome.LIMITED, "message": str(error.message)}),
            error.retry_after,
        )
    except PartnerCenterUnavailableError as error:
        return JsonResponse(
            {"status": PrefixCheckOutcome.UNAVAILABLE, "message": str(error.message)}, status=503
        )
    return JsonResponse(
        {
            "status": check.status,
            "message": prefix_status_message(status=check.status, domain=check.domain),
            "prefix": check.prefix,
            "domain": check.domain,
        }
    )
