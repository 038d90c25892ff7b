"""Helpers for the client's tests: a client on the sandbox without Django's database."""

import uuid

from partnercenter.auth import InMemoryCredentialStore, MsalTokenProvider, StoredCredentials
from partnercenter.client import PartnerCenterClient
from partnercenter.resources import Address, CartLineRequest, NewCustomer
from partnercenter_sandbox import demo


def new_request_id() -> str:
    return str(uuid.uuid4())


def token_provider_for(pc_sandbox, store: InMemoryCredentialStore | None = None):
    config = pc_sandbox.config
    return MsalTokenProvider(
        authority=f"{pc_sandbox.base_url}/{config.tenant_id}",
        client_id=config.client_id,
        client_secret=config.client_secret,
        credential_store=store or InMemoryCredentialStore(StoredCredentials(config.refresh_token)),
        ca_bundle=pc_sandbox.ca_bundle,
    )


def client_for(pc_sandbox, *, read_timeout: float = 5.0, on_call=None) -> PartnerCenterClient:
    return PartnerCenterClient(
        base_url=pc_sandbox.base_url,
        token_provider=token_provider_for(pc_sandbox),
        connect_timeout=2.0,
        read_timeout=read_timeout,
        ca_bundle=pc_sandbox.ca_bundle,
        on_call=on_call,
    )


def new_customer(domain_prefix: str, *, reseller_tenant_id=demo.DEMO_RESELLER_TENANT_ID):
    return NewCustomer(
        domain=f"{domain_prefix}.onmicrosoft.com",
        company_name="Nuova Azienda S.r.l.",
        email="amministrazione@nuovaazienda.it",
        address=Address(
            first_name="Mario",
            last_name="Rossi",
            address_line1="Via Roma 1",
            city="Milano",
            state="MI",
            postal_code="20121",
            phone_number="0212345678",
        ),
        reseller_tenant_id=reseller_tenant_id,
    )


def cart_line(
    client,
    product_id: str,
    sku_id: str,
    *,
    quantity=5,
    term="P1Y",
    billing="monthly",
    mpn_id=demo.DEMO_RESELLER_MPN_ID,
) -> CartLineRequest:
    """A line with a catalogItemId fetched now, as the storefront must do."""
    availability = client.list_availabilities(product_id, sku_id)[0]
    return CartLineRequest(
        catalog_item_id=availability.catalog_item_id,
        quantity=quantity,
        term_duration=term,
        billing_cycle=billing,
        transaction_reseller_mpn_id=mpn_id,
    )
