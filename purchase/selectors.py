"""Reads of the purchase wizard: what the draft holds, step by step, and which step comes next."""

from dataclasses import dataclass

from django.db import models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from purchase.models import PurchaseDraft
from tenants.models import Customer
from tenants.names import company_names_match
from tenants.selectors import TenantChoice


class WizardStep(models.TextChoices):
    """The steps of the wizard; the value names its URL (``purchase:<value>``) and template."""

    CUSTOMER = "customer", _("Cliente")
    COMPANY = "company", _("Azienda")
    TENANT = "tenant", _("Tenant")
    PARTNER = "partner", _("Partner")
    CONFIRM = "confirm", _("Conferma")


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
    def steps(self) -> tuple[WizardStep, ...]:
        if self.is_existing_customer:
            return (WizardStep.CUSTOMER, WizardStep.PARTNER, WizardStep.CONFIRM)
        return (
            WizardStep.CUSTOMER,
            WizardStep.COMPANY,
            WizardStep.TENANT,
            WizardStep.PARTNER,
            WizardStep.CONFIRM,
        )

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

    def is_step_done(self, step: WizardStep) -> bool:
        if step == WizardStep.CUSTOMER:
            return self.is_new_customer or self.is_existing_customer
        if step == WizardStep.COMPANY:
            return self.is_company_complete
        if step == WizardStep.TENANT:
            return self.checked_tenant is not None
        if step == WizardStep.PARTNER:
            return bool(self.validated_mpn_id)
        return False

    def first_step_to_do(self) -> WizardStep:
        """The first step whose data is missing; ``confirm`` when the order can be placed."""
        for step in self.steps:
            if step == WizardStep.CONFIRM or not self.is_step_done(step):
                return step
        return WizardStep.CONFIRM

    def previous_step(self, step: WizardStep) -> WizardStep:
        steps = self.steps
        return steps[max(steps.index(step) - 1, 0)] if step in steps else WizardStep.CUSTOMER

    def can_open(self, step: WizardStep) -> bool:
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
