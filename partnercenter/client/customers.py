"""Calls about customers and resellers: tenants and customers, indirect resellers and MPN IDs,
the Microsoft Customer Agreement."""

import json
from datetime import datetime

from partnercenter.client.base import PartnerCenterClientBase, path_segment
from partnercenter.errors import (
    PartnerCenterBusinessError,
    PartnerCenterNoCustomerAgreementTemplate,
    PartnerCenterNotFound,
)
from partnercenter.resources import (
    AgreementContact,
    AgreementStatus,
    AgreementTemplate,
    CreatedCustomer,
    CustomerAgreement,
    CustomerSummary,
    IndirectReseller,
    NewCustomer,
)
from partnercenter.transport import TokenKind

ONMICROSOFT_SUFFIX = ".onmicrosoft.com"
MICROSOFT_CUSTOMER_AGREEMENT = "MicrosoftCustomerAgreement"
MCA_ALREADY_ACCEPTED_CODE = "600061"


class CustomerCalls(PartnerCenterClientBase):
    # --- Tenants and customers -------------------------------------------------------------

    def is_domain_taken(self, domain_prefix: str) -> bool:
        """HEAD /v1/domains/{prefix}.onmicrosoft.com: 200 taken, 404 free."""
        path = f"/v1/domains/{path_segment(domain_prefix + ONMICROSOFT_SUFFIX)}"
        try:
            self._transport.request(
                operation="domain_check", method="HEAD", path=path, token_kind=TokenKind.APP
            )
        except PartnerCenterNotFound:
            return False
        return True

    def find_customers_by_domain(
        self, domain: str, *, size: int = 10
    ) -> tuple[CustomerSummary, ...]:
        """The distributor's customers whose domain starts with ``domain``.

        An existing tenant appears here only once it accepted the reseller relationship.
        """
        search = {"Field": "Domain", "Value": domain, "Operator": "starts_with"}
        body = self._get(
            "customer_search",
            "/v1/customers",
            params={"size": size, "filter": json.dumps(search, separators=(",", ":"))},
        )
        return self._items("customer_search", CustomerSummary.from_json, body)

    def create_customer(self, *, request_id: str, new_customer: NewCustomer) -> CreatedCustomer:
        """POST /v1/customers: a new tenant; its admin credentials come back only here."""
        body = self._post(
            "customer_create",
            "/v1/customers",
            request_id=request_id,
            body=new_customer.to_json(),
            token_kind=TokenKind.APP_USER,
        )
        return self._parse("customer_create", CreatedCustomer.from_json, body, is_post=True)

    # --- Indirect resellers and MPN IDs ----------------------------------------------------

    def list_indirect_resellers(self) -> tuple[IndirectReseller, ...]:
        body = self._get(
            "reseller_list",
            "/v1/relationships",
            token_kind=TokenKind.APP_USER,
            params={"relationship_type": "IsIndirectCloudSolutionProviderOf"},
        )
        return self._items("reseller_list", IndirectReseller.from_json, body)

    def get_agreement_status(self, mpn_id: str = "", *, tenant_id: str = "") -> AgreementStatus:
        """MPA status of a reseller, by its MPN ID or its tenant id (exactly one); refusals
        (2200 invalid, 2201 region, 2203 unsigned, 2204 not a reseller, 2205 unknown tenant,
        2206 tenant not signed) are PartnerCenterBusinessError."""
        if bool(mpn_id) == bool(tenant_id):
            raise ValueError("give either mpn_id or tenant_id")
        params = {"mpnId": mpn_id} if mpn_id else {"tenantId": tenant_id}
        body = self._get(
            "mpn_agreement_status",
            "/v1/compliance/csp/agreementstatus",
            token_kind=TokenKind.APP_USER,
            params=params,
        )
        return self._parse(
            "mpn_agreement_status",
            lambda data: AgreementStatus(
                mpn_id=mpn_id,
                tenant_id=tenant_id,
                is_agreement_signed=bool(data["isAgreementSigned"]),
            ),
            body,
        )

    # --- Microsoft Customer Agreement ------------------------------------------------------

    def get_customer_agreement_template(self) -> AgreementTemplate:
        body = self._get(
            "mca_template",
            "/v1/agreements",
            token_kind=TokenKind.APP_USER,
            params={"agreementType": MICROSOFT_CUSTOMER_AGREEMENT},
        )
        templates = self._items("mca_template", AgreementTemplate.from_json, body)
        # The query names the type, but the answer is what counts: an item of another type
        # (the legacy Microsoft Cloud Agreement is the default) must never stand in for the MCA.
        for template in templates:
            if template.agreement_type.lower() == MICROSOFT_CUSTOMER_AGREEMENT.lower():
                return template
        found = tuple(template.agreement_type for template in templates)
        raise PartnerCenterNoCustomerAgreementTemplate(
            f"mca_template: no {MICROSOFT_CUSTOMER_AGREEMENT} template in the answer "
            f"(found: {', '.join(found) or 'none'})",
            agreement_types_found=found,
        )

    def accept_customer_agreement(
        self,
        *,
        request_id: str,
        customer_id: str,
        template_id: str,
        contact: AgreementContact,
        date_agreed: datetime,
    ) -> CustomerAgreement:
        """Confirm the customer's MCA acceptance; 600061 (same data already) counts as done."""
        agreement = {
            "primaryContact": contact.to_json(),
            "templateId": template_id,
            "dateAgreed": date_agreed.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "type": MICROSOFT_CUSTOMER_AGREEMENT,
        }
        try:
            self._post(
                "mca_accept",
                f"/v1/customers/{path_segment(customer_id)}/agreements",
                request_id=request_id,
                body=agreement,
                token_kind=TokenKind.APP_USER,
            )
        except PartnerCenterBusinessError as exc:
            if exc.code != MCA_ALREADY_ACCEPTED_CODE:
                raise
            return CustomerAgreement(
                customer_id=customer_id, template_id=template_id, was_already_accepted=True
            )
        return CustomerAgreement(
            customer_id=customer_id, template_id=template_id, was_already_accepted=False
        )
