"""Reads of the purchase wizard: what the draft holds, step by step, and which step comes next."""

from dataclasses import dataclass

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from purchase.models import PurchaseDraft
from tenants.models import Customer
from tenants.names import company_names_match
from tenants.selectors import TenantChoice

STEP_CUSTOMER = "customer"
STEP_COMPANY = "company"
STEP_TENANT = "tenant"
STEP_PARTNER = "partner"
STEP_CONFIRM = "confirm"
STEP_LABELS = {
    STEP_CUSTOMER: _("Cliente"),
    STEP_COMPANY: _("Azienda"),
    STEP_TENANT: _("Tenant"),
    STEP_PARTNER: _("Partner"),
    STEP_CONFIRM: _("Conferma"),
}


@dataclass(frozen=True)
class WizardState:
    """What the draft holds, step by step, and which step comes next.

    A step counts as done only with data that passed its checks: the company data validated, the
    prefix typed last checked against Partner Center, the MPN ID typed last validated.
    """

    draft: PurchaseDraft
    existing_customer: Customer | None
    company_values: dict
    is_company_complete: bool
    typed_prefix: str
    checked_tenant: TenantChoice | None
    typed_mpn_id: str
    validated_mpn_id: str

    @property
    def is_new_customer(self) -> bool:
        return self.draft.customer_choice == PurchaseDraft.CustomerChoice.NEW

    @property
    def is_existing_customer(self) -> bool:
        return (
            self.draft.customer_choice == PurchaseDraft.CustomerChoice.EXISTING
            and self.existing_customer is not None
        )

    @property
    def steps(self) -> tuple[str, ...]:
        if self.is_existing_customer:
            return (STEP_CUSTOMER, STEP_PARTNER, STEP_CONFIRM)
        return (STEP_CUSTOMER, STEP_COMPANY, STEP_TENANT, STEP_PARTNER, STEP_CONFIRM)

    @property
    def tenant(self) -> TenantChoice | None:
        if self.is_existing_customer and self.existing_customer is not None:
            return TenantChoice.from_customer(self.existing_customer)
        return self.checked_tenant if self.is_new_customer else None

    @property
    def company_name(self) -> str:
        if self.is_existing_customer and self.existing_customer is not None:
            return self.existing_customer.company_name
        return self.company_values.get("company_name", "")

    @property
    def is_company_name_mismatch(self) -> bool:
        """«Nome azienda» differs from the legal name Partner Center shows for the tenant."""
        tenant = self.tenant
        return bool(
            tenant is not None
            and tenant.partner_center_company_name
            and self.company_name
            and not company_names_match(self.company_name, tenant.partner_center_company_name)
        )

    def is_step_done(self, step: str) -> bool:
        if step == STEP_CUSTOMER:
            return self.is_new_customer or self.is_existing_customer
        if step == STEP_COMPANY:
            return self.is_company_complete
        if step == STEP_TENANT:
            return self.checked_tenant is not None
        if step == STEP_PARTNER:
            return bool(self.validated_mpn_id)
        return False

    def first_step_to_do(self) -> str:
        """The first step whose data is missing; ``confirm`` when the order can be placed."""
        for step in self.steps:
            if step == STEP_CONFIRM or not self.is_step_done(step):
                return step
        return STEP_CONFIRM

    def previous_step(self, step: str) -> str:
        steps = self.steps
        return steps[max(steps.index(step) - 1, 0)] if step in steps else STEP_CUSTOMER

    def can_open(self, step: str) -> bool:
        """Whether ``step`` may be shown: it is in this path and every step before it is done."""
        steps = self.steps
        return step in steps and steps.index(step) <= steps.index(self.first_step_to_do())


def purchase_wizard_state(*, draft: PurchaseDraft) -> WizardState:
    existing_customer = draft.existing_customer
    if existing_customer is not None and existing_customer.reseller_id != draft.cart.reseller_id:
        existing_customer = None  # never another reseller's customer, whatever the row says
    company = draft.company or {}
    tenant = draft.tenant or {}
    partner = draft.partner or {}
    typed_prefix = str(tenant.get("prefix", ""))
    check = tenant.get("check") or {}
    checked_tenant = None
    if check and check.get("prefix") == typed_prefix:
        checked_tenant = TenantChoice(
            prefix=check["prefix"],
            is_taken=bool(check.get("is_taken")),
            is_relationship_accepted=bool(check.get("partner_center_customer_id")),
            partner_center_customer_id=str(check.get("partner_center_customer_id", "")),
            partner_center_company_name=str(check.get("partner_center_company_name", "")),
            checked_at=parse_datetime(check.get("checked_at") or ""),
        )
    typed_mpn_id = str(partner.get("mpn_id", ""))
    validated = partner.get("validated") or {}
    return WizardState(
        draft=draft,
        existing_customer=existing_customer,
        company_values=dict(company.get("values") or {}),
        is_company_complete=bool(company.get("is_complete")),
        typed_prefix=typed_prefix,
        checked_tenant=checked_tenant,
        typed_mpn_id=typed_mpn_id,
        validated_mpn_id=typed_mpn_id if validated.get("mpn_id") == typed_mpn_id else "",
    )
