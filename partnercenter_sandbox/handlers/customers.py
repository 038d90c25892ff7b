"""Tenants and customers: domain check, customer search, new tenant, invitation, MCA.

Error codes the sandbox chose where Partner Center's reference names none (README.md):
400 800002 for invalid input, 409 2000 for a domain already in use, 400 2000 for an
AssociatedPartnerId that is not an active indirect reseller, 404 1000 for an unknown customer.
"""

import json
import re
import secrets
import string
import uuid

from partnercenter_sandbox import demo
from partnercenter_sandbox.http import (
    RequestContext,
    SandboxResponse,
    api_error,
    collection,
    iso,
    link,
    pick,
)

DOMAIN_PATTERN = re.compile(r"^[a-z0-9]{1,27}\.onmicrosoft\.com$")
REQUIRED_CUSTOMER_FIELDS = (
    ("CompanyProfile", "Domain"),
    ("BillingProfile", "Email"),
    ("BillingProfile", "Culture"),
    ("BillingProfile", "Language"),
    ("BillingProfile", "CompanyName"),
    ("BillingProfile", "DefaultAddress", "FirstName"),
    ("BillingProfile", "DefaultAddress", "LastName"),
    ("BillingProfile", "DefaultAddress", "AddressLine1"),
    ("BillingProfile", "DefaultAddress", "City"),
    ("BillingProfile", "DefaultAddress", "PostalCode"),
    ("BillingProfile", "DefaultAddress", "Country"),
    ("AssociatedPartnerId",),
)
REQUIRED_CONTACT_FIELDS = ("firstName", "lastName", "email")


def customer_json(tenant: dict, *, with_credentials: bool = False) -> dict:
    body = {
        "id": tenant["id"],
        "commerceId": tenant["id"],
        "companyProfile": {
            "tenantId": tenant["id"],
            "domain": tenant["domain"],
            "companyName": tenant["company_name"],
            "attributes": {"objectType": "CustomerCompanyProfile"},
        },
        "relationshipToPartner": "reseller",
        "links": {"self": link(f"/customers/{tenant['id']}")},
        "attributes": {"objectType": "Customer"},
    }
    if tenant.get("reseller_tenant_id"):
        body["associatedPartnerId"] = tenant["reseller_tenant_id"]
    if tenant.get("billing_profile"):
        body["billingProfile"] = tenant["billing_profile"]
    if with_credentials and tenant.get("user_credentials"):
        body["userCredentials"] = tenant["user_credentials"]
    return body


def related_customer(ctx: RequestContext, customer_id: str) -> dict:
    """The customer, if the distributor may transact for it (else 404 or 403 20002)."""
    tenant = ctx.store.get("tenant", customer_id.lower())
    if tenant is None:
        raise api_error(
            404, 1000, f"Customer {customer_id} not found.", parameters={"customerId": customer_id}
        )
    if not tenant["relationship_accepted"]:
        raise api_error(
            403,
            20002,
            f"The partner id {ctx.config.tenant_id} has no commerce relationship with the "
            f"customer id {customer_id}.",
            parameters={"partnerId": ctx.config.tenant_id, "customerId": customer_id},
        )
    return tenant


def domain_check(ctx: RequestContext) -> SandboxResponse:
    exists = ctx.store.tenant_by_domain(ctx.args["domain"]) is not None
    return SandboxResponse(200 if exists else 404)


def customer_search(ctx: RequestContext) -> SandboxResponse:
    search = _customer_filter(ctx.query("filter"))
    field_name = {"domain": "domain", "companyname": "company_name"}[search["field"]]
    prefix = search["value"].lower()
    matches = [
        customer_json(tenant)
        for tenant in ctx.store.all("tenant")
        if tenant["relationship_accepted"] and tenant[field_name].lower().startswith(prefix)
    ]
    size = int(ctx.query("size") or 0)
    return SandboxResponse(200, collection(matches[:size] if size > 0 else matches))


def _customer_filter(raw: str) -> dict:
    if not raw:
        return {"field": "domain", "value": ""}
    try:
        search = json.loads(raw)
    except ValueError:
        raise api_error(400, 800002, "Invalid request input: filter is not JSON.") from None
    field_name = str(pick(search, "Field", default="")).lower()
    if field_name not in ("domain", "companyname") or pick(search, "Operator") != "starts_with":
        raise api_error(400, 800002, "Invalid request input: unsupported filter.")
    return {"field": field_name, "value": str(pick(search, "Value", default=""))}


def customer_create(ctx: RequestContext) -> SandboxResponse:
    body = ctx.json()
    for path in REQUIRED_CUSTOMER_FIELDS:
        if not pick(body, *path):
            raise api_error(400, 800002, f"Invalid request input: {'.'.join(path)} is required.")
    domain = str(pick(body, "CompanyProfile", "Domain")).lower()
    if not DOMAIN_PATTERN.match(domain):
        raise api_error(400, 800002, f"Invalid request input: domain {domain} is not valid.")
    reseller = ctx.store.reseller_by_tenant_id(str(pick(body, "AssociatedPartnerId")))
    if reseller is None or reseller["relationship_state"] != "Active":
        raise api_error(
            400,
            2000,
            "AssociatedPartnerId is not an active indirect reseller of this partner.",
            error_name="AssociatedPartnerIdNotActive",
        )
    existing = ctx.store.tenant_by_domain(domain)
    if existing is not None:
        if existing.get("created_via_api"):
            # A second POST for a tenant created here: the client lost its MS-RequestId. The
            # refusal is returned, not raised, so that the count is kept.
            ctx.store.count_duplicate("customers")
        return api_error(
            409,
            2000,
            f"The domain {domain} is already in use.",
            error_name="DomainAlreadyInUse",
            parameters={"domain": domain},
        ).response
    tenant = _new_tenant(ctx, body, domain, reseller)
    ctx.store.put("tenant", tenant["id"], tenant)
    return SandboxResponse(201, customer_json(tenant, with_credentials=True))


def _new_tenant(ctx: RequestContext, body: dict, domain: str, reseller: dict) -> dict:
    address = pick(body, "BillingProfile", "DefaultAddress")
    billing_profile = {
        "id": str(uuid.uuid4()),
        "email": pick(body, "BillingProfile", "Email"),
        "culture": pick(body, "BillingProfile", "Culture"),
        "language": pick(body, "BillingProfile", "Language"),
        "companyName": pick(body, "BillingProfile", "CompanyName"),
        "defaultAddress": {key[0].lower() + key[1:]: value for key, value in address.items()},
        "attributes": {"objectType": "CustomerBillingProfile"},
    }
    return {
        "id": str(uuid.uuid4()),
        "domain": domain,
        "company_name": billing_profile["companyName"],
        "relationship_accepted": True,
        "reseller_tenant_id": reseller["tenant_id"],
        "created_via_api": True,
        "has_customer_agreement": False,
        "billing_profile": billing_profile,
        "user_credentials": {"userName": "admin", "password": _temporary_password()},
        "created_at": ctx.now,
    }


def _temporary_password() -> str:
    letters = "".join(secrets.choice(string.ascii_letters) for _ in range(6))
    return f"{letters}{secrets.randbelow(90) + 10}!{secrets.choice(string.ascii_uppercase)}"


def relationship_request(ctx: RequestContext) -> SandboxResponse:
    """The invitation link; here the sandbox's own page where a customer's admin accepts."""
    url = f"{ctx.base_url}/_sandbox/invitation?partnerId={ctx.config.tenant_id}"
    return SandboxResponse(200, {"url": url, "attributes": {"objectType": "RelationshipRequest"}})


AGREEMENT_TEMPLATES = (
    {
        "templateId": demo.MCA_TEMPLATE_ID,
        "agreementType": "MicrosoftCustomerAgreement",
        "agreementLink": "https://aka.ms/customeragreement",
        "versionRank": 0,
    },
    {
        "templateId": demo.CLOUD_AGREEMENT_TEMPLATE_ID,
        "agreementType": "MicrosoftCloudAgreement",
        "agreementLink": "https://docs.microsoft.com/partner-center/agreements",
        "versionRank": 0,
    },
)


def agreement_templates(ctx: RequestContext) -> SandboxResponse:
    """Without ``agreementType`` Partner Center answers the legacy Microsoft Cloud Agreement;
    ``*`` answers every type."""
    agreement_type = (ctx.query("agreementType") or "MicrosoftCloudAgreement").lower()
    offered = {name.lower() for name in ctx.store.agreement_types_offered()}
    items = [
        dict(template)
        for template in AGREEMENT_TEMPLATES
        if agreement_type in ("*", template["agreementType"].lower())
        and template["agreementType"].lower() in offered
    ]
    return SandboxResponse(200, collection(items))


def agreement_accept(ctx: RequestContext) -> SandboxResponse:
    tenant = related_customer(ctx, ctx.args["customer_id"])
    body = ctx.json()
    contact = pick(body, "primaryContact") or {}
    missing = [name for name in REQUIRED_CONTACT_FIELDS if not pick(contact, name)]
    if missing or pick(body, "templateId") != demo.MCA_TEMPLATE_ID or not pick(body, "dateAgreed"):
        raise api_error(
            400, 800002, "Invalid request input: primaryContact, templateId, dateAgreed."
        )
    email = str(pick(contact, "email")).lower()
    agreements = ctx.store.get("agreements", tenant["id"]) or {"emails": []}
    accepted_outside_the_api = tenant["has_customer_agreement"] and not agreements["emails"]
    if email in agreements["emails"] or accepted_outside_the_api:
        raise api_error(
            400, 600061, "A partner confirmed agreement already exists for the customer."
        )
    agreements["emails"].append(email)
    ctx.store.put("agreements", tenant["id"], agreements)
    ctx.store.put("tenant", tenant["id"], {**tenant, "has_customer_agreement": True})
    answer = {
        "userId": str(uuid.uuid4()),
        "primaryContact": contact,
        "templateId": demo.MCA_TEMPLATE_ID,
        "dateAgreed": pick(body, "dateAgreed"),
        "type": "MicrosoftCustomerAgreement",
        "agreementLink": "https://aka.ms/customeragreement",
        "createdAt": iso(ctx.now),
    }
    return SandboxResponse(201, answer)
