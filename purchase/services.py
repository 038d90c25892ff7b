"""The purchase wizard's draft, step by step, and placing the order from it.

Each step writes only its own JSON field (``save(update_fields=...)``), so two tabs on different
steps never overwrite each other. Nothing here calls Partner Center: the checks are made by
tenants.services (the «Domain Prefix») and resellers.services (the MPN ID) before, and only
their outcome is recorded here.
"""

import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checkout.models import Cart
from orders.models import Order
from orders.services import order_place
from purchase.errors import PurchaseIncompleteError, PurchaseNotReadyError
from purchase.models import PurchaseDraft
from purchase.selectors import WizardState, WizardStep, purchase_wizard_state
from resellers.services import MpnValidation
from tenants.models import Customer
from tenants.services.partner_center import PrefixCheck


def purchase_draft_get_or_create(*, cart: Cart) -> PurchaseDraft:
    """The cart's draft; two tabs opening the wizard at once still share one."""
    try:
        with transaction.atomic():
            draft, _created = PurchaseDraft.objects.get_or_create(cart=cart)
    except IntegrityError:
        draft = PurchaseDraft.objects.get(cart=cart)
    draft.cart = cart
    return draft


def _save(draft: PurchaseDraft, *field_names: str) -> None:
    """Write these fields of the draft; PurchaseNotReadyError ``purchase_done`` when it is gone
    (another tab placed the order after this request loaded the draft)."""
    draft.updated_at = timezone.now()
    values = {name: getattr(draft, name) for name in (*field_names, "updated_at")}
    if not PurchaseDraft.objects.filter(pk=draft.pk).update(**values):
        raise _purchase_done()


def _purchase_done() -> PurchaseNotReadyError:
    return PurchaseNotReadyError(_("Questo acquisto è già stato concluso."), code="purchase_done")


def _storable(typed):
    """What was typed, kept to be shown again: PostgreSQL's jsonb cannot hold a NUL character."""
    return typed.replace("\x00", "") if isinstance(typed, str) else typed


def purchase_draft_choose_customer(
    *, draft: PurchaseDraft, choice: str, customer: Customer | None = None
) -> None:
    """«per un nuovo cliente», or «per un cliente esistente» with one of the reseller's customers.

    What was typed for a new customer is kept: going back to it finds it again.
    """
    if choice == PurchaseDraft.CustomerChoice.EXISTING:
        if customer is None or customer.reseller_id != draft.cart.reseller_id:
            raise ValueError("an existing customer of the cart's reseller is required")
    else:
        customer = None
    draft.customer_choice = choice
    draft.existing_customer = customer
    _save(draft, "customer_choice", "existing_customer")


def purchase_draft_save_company(*, draft: PurchaseDraft, values: dict, is_complete: bool) -> None:
    """The «Azienda» step: validated values (``is_complete``) or what was typed, to show again."""
    stored = {name: _storable(value) for name, value in values.items()}
    draft.company = {"values": stored, "is_complete": is_complete}
    _save(draft, "company")


def purchase_draft_save_prefix(*, draft: PurchaseDraft, prefix: str) -> None:
    """A «Domain Prefix» typed but not checked (back, a format error, Partner Center down)."""
    draft.tenant = {**(draft.tenant or {}), "prefix": _storable(prefix)}
    _save(draft, "tenant")


def purchase_draft_record_prefix_check(*, draft: PurchaseDraft, check: PrefixCheck) -> None:
    match = check.match
    draft.tenant = {
        "prefix": check.prefix,
        "check": {
            "prefix": check.prefix,
            "is_taken": check.is_taken,
            "partner_center_customer_id": match.customer_id if match else "",
            "partner_center_company_name": match.company_name if match else "",
            "checked_at": check.checked_at.isoformat(),
        },
    }
    _save(draft, "tenant")


def purchase_draft_save_mpn(
    *, draft: PurchaseDraft, mpn_id: str, validation: MpnValidation | None = None
) -> None:
    """The MPN ID typed; with a valid ``validation`` of it, the «Partner» step is done.

    Without a new validation, an earlier one of the same MPN ID still holds («<< Indietro»).
    """
    partner = {"mpn_id": _storable(mpn_id)}
    previous = (draft.partner or {}).get("validated") or {}
    if validation is not None and validation.is_valid and validation.mpn_id == mpn_id:
        partner["validated"] = {
            "mpn_id": validation.mpn_id,
            "reseller_tenant_id": validation.reseller_tenant_id,
            "checked_at": validation.checked_at.isoformat(),
        }
    elif validation is None and previous.get("mpn_id") == mpn_id:
        partner["validated"] = previous
    draft.partner = partner
    _save(draft, "partner")


def purchase_place_order(*, draft: PurchaseDraft, user) -> Order:
    """«Prossimo >>» on the confirmation: the customer, then the order, then the draft is gone.

    One transaction, with the draft locked: a double submit waits for the first, then finds no
    draft (PurchaseNotReadyError ``purchase_done``) while the cart's order exists. order_place is
    idempotent on the cart's checkout_token as well. An OrderPlacementError rolls everything back,
    the new customer included.
    """
    with transaction.atomic():
        locked = (
            PurchaseDraft.objects.select_for_update(of=("self",))
            .select_related("cart", "cart__reseller", "existing_customer")
            .filter(pk=draft.pk)
            .first()
        )
        if locked is None:
            raise _purchase_done()
        state = purchase_wizard_state(draft=locked)
        step = state.first_step_to_do()
        if step != WizardStep.CONFIRM:
            raise PurchaseIncompleteError(
                _("Completa prima tutti i passi dell'acquisto."), step=step
            )
        customer = state.existing_customer or _customer_save_from_draft(state)
        order = order_place(
            cart=locked.cart, user=user, customer=customer, mpn_id=state.validated_mpn_id
        )
        locked.delete()
    return order


def _customer_save_from_draft(state: WizardState) -> Customer:
    """The new customer of the wizard; the same tenant typed again updates the reseller's row."""
    tenant = state.checked_tenant
    assert tenant is not None, "called once every step is complete, the «Tenant» step included"
    if not tenant.is_taken:
        relationship_state = Customer.RelationshipState.NOT_NEEDED
    elif tenant.is_relationship_accepted:
        relationship_state = Customer.RelationshipState.ACCEPTED
    else:
        relationship_state = Customer.RelationshipState.PENDING
    defaults = {
        **state.company_values,
        "tenant_kind": Customer.TenantKind.EXISTING if tenant.is_taken else Customer.TenantKind.NEW,
        "relationship_state": relationship_state,
        "relationship_checked_at": tenant.checked_at if tenant.is_taken else None,
    }
    if tenant.partner_center_customer_id:
        defaults["partner_center_customer_id"] = uuid.UUID(tenant.partner_center_customer_id)
        defaults["partner_center_company_name"] = tenant.partner_center_company_name[:200]
    customer, _created = Customer.objects.update_or_create(
        reseller=state.draft.cart.reseller, tenant_domain_prefix=tenant.prefix, defaults=defaults
    )
    return customer
