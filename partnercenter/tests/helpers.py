"""Helpers for the client's tests: a client on the sandbox without Django's database, and the
calls and the credential store that only tests use (the storefront never reads an order or the
invitation link, and keeps its credentials in the database: partnercenter/services.py)."""

import uuid
from urllib.parse import quote

from partnercenter.auth import MsalTokenProvider, StoredCredentials
from partnercenter.client import PartnerCenterClient
from partnercenter.resources import Address, CartLineRequest, NewCustomer, Order
from partnercenter.transport import TokenKind
from partnercenter_sandbox import demo


def new_request_id() -> str:
    return str(uuid.uuid4())


class InMemoryCredentialStore:
    """The credential store of the tests (the storefront's is the database one, services.py)."""

    def __init__(self, credentials: StoredCredentials | None = None) -> None:
        self.credentials = credentials or StoredCredentials()

    def load(self) -> StoredCredentials:
        return self.credentials

    def save(self, credentials: StoredCredentials) -> None:
        self.credentials = credentials


def relationship_request_url(client: PartnerCenterClient) -> str:
    """GET /v1/customers/relationshiprequests: the distributor's reseller-relationship
    invitation link (app+user)."""
    body = client._get(
        "relationship_request",
        "/v1/customers/relationshiprequests",
        token_kind=TokenKind.APP_USER,
    )
    return client._parse("relationship_request", lambda data: str(data["url"]), body)


def order_get(client: PartnerCenterClient, customer_id: str, order_id: str) -> Order:
    """GET /v1/customers/{id}/orders/{id}: a just placed order may be PartnerCenterNotFound
    (code 20000) for a while."""
    path = f"/v1/customers/{quote(customer_id, safe='')}/orders/{quote(order_id, safe='')}"
    return client._parse("order_get", Order.from_json, client._get("order_get", path))


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
