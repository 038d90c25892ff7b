"""Indirect resellers: the distributor's reseller list, the MPA agreement status and the
validation of a partner of record (a subscription's ``partnerId``)."""

from partnercenter_sandbox import demo
from partnercenter_sandbox.http import (
    RequestContext,
    SandboxResponse,
    api_error,
    business_error,
    collection,
    pick,
)

MPA_FAQ = "https://docs.microsoft.com/partner-center/mpa-indirect-provider-faq"
AGREEMENT_REFUSALS = {
    "region_mismatch": (
        2201,
        "The CSP region of the MPN ID {mpn} doesn't match the CSP region from where you are "
        "placing the order. Provide the MPN ID for the CSP region where you are placing the order.",
    ),
    "unsigned": (
        2203,
        "MPN Id {mpn} has not signed Microsoft Partner Agreement (MPA) for the CSP region where "
        "the order is being placed. Please advise your reseller to sign MPA to continue.",
    ),
    "not_indirect_reseller": (
        2204,
        "MPN Id {mpn} is not associated with a CSP Indirect Reseller account in Partner Center.",
    ),
}


def reseller_json(reseller: dict) -> dict:
    return {
        "id": reseller["tenant_id"],
        "name": reseller["name"],
        "relationshipType": "is_indirect_cloud_solution_provider_of",
        "state": reseller["relationship_state"],
        "mpnId": reseller["mpn_id"],
        "location": reseller["location"],
        "attributes": {"objectType": "PartnerRelationship"},
    }


def relationships(ctx: RequestContext) -> SandboxResponse:
    relationship_type = ctx.query("relationship_type")
    if not relationship_type:
        raise api_error(400, 800002, "Invalid request input: relationship_type is required.")
    items = []
    if relationship_type.lower() == "isindirectcloudsolutionproviderof":
        items = [
            reseller_json(reseller)
            for reseller in ctx.store.all("reseller")
            if reseller["relationship_state"]
        ]
    return SandboxResponse(200, collection(items))


def agreement_status(ctx: RequestContext) -> SandboxResponse:
    """By ``mpnId`` or by ``tenantId``, exactly one of them, as Partner Center documents."""
    mpn_id, tenant_id = ctx.query("mpnId"), ctx.query("tenantId")
    if not mpn_id and not tenant_id:
        raise api_error(400, 2001, "Both MPN Id and Tenant Id cannot be empty.")
    if mpn_id and tenant_id:
        raise api_error(
            400, 800002, "Invalid request input: provide either MPN Id or Tenant Id, not both."
        )
    if tenant_id:
        return _agreement_status_by_tenant(ctx, tenant_id)
    if not mpn_id.isdigit():
        raise api_error(
            400,
            2000,
            "MPN Id must be numeric.",
            error_name="MpnIdNotNumeric",
            parameters={"mpnId": mpn_id},
        )
    reseller = ctx.store.get("reseller", mpn_id)
    if mpn_id == demo.DISTRIBUTOR_MPN_ID:
        reseller = {"agreement": "not_indirect_reseller"}
    if reseller is None:
        raise api_error(
            400,
            2200,
            f"MPN Id {mpn_id} is either invalid or not yet migrated to Partner Center.",
            ["https://partner.microsoft.com/resources/detail/migrate-pmc-pc-mpa-guide-pptx"],
            parameters={"mpnId": mpn_id},
        )
    if reseller["agreement"] in AGREEMENT_REFUSALS:
        code, description = AGREEMENT_REFUSALS[reseller["agreement"]]
        raise api_error(
            400, code, description.format(mpn=mpn_id), [MPA_FAQ], parameters={"mpnId": mpn_id}
        )
    return SandboxResponse(200, {"isAgreementSigned": True})


def _agreement_status_by_tenant(ctx: RequestContext, tenant_id: str) -> SandboxResponse:
    reseller = ctx.store.reseller_by_tenant_id(tenant_id)
    if reseller is None:
        raise api_error(
            400,
            2205,
            f"Tenant Id {tenant_id} is not found in Partner Center.",
            parameters={"tenantId": tenant_id},
        )
    if reseller["agreement"] != "signed":
        raise api_error(
            400,
            2206,
            f"Tenant Id {tenant_id} has not signed the Microsoft Partner Agreement (MPA).",
            [MPA_FAQ],
            parameters={"tenantId": tenant_id},
        )
    return SandboxResponse(200, {"isAgreementSigned": True})


def partner_validation(ctx: RequestContext, partner_id: str) -> tuple[bool, int, str]:
    reseller = ctx.store.get("reseller", partner_id) if partner_id else None
    if (
        reseller is not None
        and reseller["relationship_state"] == "Active"
        and reseller["agreement"] == "signed"
    ):
        return True, 0, ""
    return (
        False,
        900400,
        f"The PLA ID (formerly MPN ID) {partner_id} is not valid as partner of record: it is not "
        "an active indirect reseller authorised by this indirect provider.",
    )


def validate_resellers(ctx: RequestContext) -> SandboxResponse:
    """POST /v1/partners/validateresellers {"partnerIds": [...]}."""
    partner_ids = pick(ctx.json(), "partnerIds")
    if not isinstance(partner_ids, list) or not partner_ids or len(partner_ids) > 100:
        raise business_error(
            400, 800002, "InvalidInput", "partnerIds must list 1 to 100 partner ids."
        )
    results = []
    for partner_id in partner_ids:
        valid, code, description = partner_validation(ctx, str(partner_id))
        result = {"partnerId": str(partner_id), "isValidPartnerIdOnRecord": valid}
        if not valid:
            result.update(errorCode=code, errorDescription=description)
        results.append(result)
    return SandboxResponse(200, {"validationResults": results})
